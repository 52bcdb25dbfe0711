package io.vltava.replica;

import io.vltava.log.ActiveProducer;
import io.vltava.log.LogAppendInfo;
import io.vltava.log.LogConfig;
import io.vltava.log.PartitionLog;
import io.vltava.metadata.PartitionState;
import io.vltava.metadata.ReplicationRules;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The single writer of one partition replica's log. It opens the log on start (recovering it if
 * needed) and applies, in mailbox order: leader appends, follower appends of the leader's batches,
 * truncation, record deletion and config changes; it closes the log cleanly when stopped. While it
 * leads, a periodic check proposes ISR changes to the controller: followers that fell behind for
 * {@code replica.lag.time.max.ms} leave, followers that caught up join. Runs on the log dispatcher.
 */
public final class PartitionReplica extends AbstractBehavior<PartitionReplica.Command> {

  public sealed interface Command {}

  public record Append(MemoryRecords records, ActorRef<AppendOutcome> replyTo) implements Command {}

  /** Batches fetched from the leader, with offsets already assigned. */
  public record AppendAsFollower(MemoryRecords records, long leaderHighWatermark, ActorRef<AppendOutcome> replyTo) implements Command {}

  /** Drops every offset at or above {@code offset}: a follower's divergent tail. */
  /** Answered with an error when the log could not be cut: the follower must not fetch onto it. */
  public record TruncateTo(long offset, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  public record DeleteRecordsBefore(long offset, ActorRef<AppendOutcome> replyTo) implements Command {}

  /** Empties a follower's log and restarts it at {@code offset}: the leader's log now starts above this replica's end. */
  public record RestartAt(long offset, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  public record UpdateConfig(LogConfig config) implements Command {}

  /** The controller's latest state of this partition. */
  public record StateChanged(PartitionState state) implements Command {}

  /** Asks for the idempotent producers with batches in the log (the producer state belongs to this actor). */
  public record DescribeProducers(ActorRef<List<ActiveProducer>> replyTo) implements Command {}

  /** Stops the actor and closes the log cleanly (shutdown). */
  public record Close() implements Command {}

  /** Stops the actor and removes the log from disk (topic deletion). */
  public record Delete() implements Command {}

  private static final Duration ISR_CHECK_MAX = Duration.ofMillis(500);

  private enum MaintenanceTick implements Command { INSTANCE }

  private enum IsrTick implements Command { INSTANCE }

  private enum HighWatermarkCheckpointTick implements Command { INSTANCE }

  /** The controller's decision on a proposal made from {@code base}; null when it did not answer in time. */
  private record IsrProposed(PartitionState base, IsrChanges.Decision decision) implements Command {}

  /** Settings that are the same for every replica on a node. */
  public record Settings(Duration maintenanceInterval, Duration replicaLagMax, Duration highWatermarkCheckpointInterval, Clock clock) {}

  private final LocalReplica view;
  private final PartitionLog log;
  private final DataArrivals arrivals;
  private final IsrChanges isrChanges;
  private final IntPredicate liveBrokers;
  private final Settings settings;
  private boolean deleteOnStop;
  private boolean isrProposalInFlight;
  /** The log end offset when this replica became leader at its current epoch: followers must reach it to join the ISR. */
  private long leaderEpochStartOffset;
  /** When this replica became leader at its current epoch: followers' lag counts from here at the latest. */
  private long leaderSinceMs;

  static Behavior<Command> create(
      LocalReplica view, Path dir, LogConfig config, DataArrivals arrivals, IsrChanges isrChanges, IntPredicate liveBrokers,
      Settings settings) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(MaintenanceTick.INSTANCE, settings.maintenanceInterval());
      timers.startTimerWithFixedDelay(HighWatermarkCheckpointTick.INSTANCE, settings.highWatermarkCheckpointInterval());
      // Shrinking needs a check every lag/2; rejoining should not wait that long.
      Duration isrCheck = settings.replicaLagMax().dividedBy(2);
      timers.startTimerWithFixedDelay(IsrTick.INSTANCE, isrCheck.compareTo(ISR_CHECK_MAX) < 0 ? isrCheck : ISR_CHECK_MAX);
      return new PartitionReplica(
          context, view, PartitionLog.open(dir, config, settings.clock()), arrivals, isrChanges, liveBrokers, settings);
    }));
  }

  private PartitionReplica(
      ActorContext<Command> context, LocalReplica view, PartitionLog log, DataArrivals arrivals, IsrChanges isrChanges,
      IntPredicate liveBrokers, Settings settings) {
    super(context);
    this.view = view;
    this.log = log;
    this.arrivals = arrivals;
    this.isrChanges = isrChanges;
    this.liveBrokers = liveBrokers;
    this.settings = settings;
    this.leaderEpochStartOffset = log.logEndOffset();
    this.leaderSinceMs = settings.clock().millis();
    view.opened(log);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Append.class, this::onAppend)
        .onMessage(AppendAsFollower.class, this::onAppendAsFollower)
        .onMessage(TruncateTo.class, this::onTruncateTo)
        .onMessage(RestartAt.class, this::onRestartAt)
        .onMessage(DeleteRecordsBefore.class, this::onDeleteRecordsBefore)
        .onMessage(StateChanged.class, this::onStateChanged)
        .onMessage(UpdateConfig.class, m -> {
          log.updateConfig(m.config());
          return this;
        })
        .onMessage(MaintenanceTick.class, m -> {
          log.runMaintenance();
          return this;
        })
        .onMessage(IsrTick.class, m -> maybeProposeIsr())
        .onMessage(HighWatermarkCheckpointTick.class, m -> checkpointHighWatermark())
        .onMessage(IsrProposed.class, this::onIsrProposed)
        .onMessage(DescribeProducers.class, m -> {
          m.replyTo().tell(log.activeProducers());
          return this;
        })
        .onMessage(Close.class, m -> Behaviors.stopped())
        .onMessage(Delete.class, m -> {
          deleteOnStop = true;
          return Behaviors.stopped();
        })
        .onSignal(PostStop.class, s -> onStop())
        .build();
  }

  private Behavior<Command> onAppend(Append append) {
    if (!view.isLeader()) {
      append.replyTo().tell(AppendOutcome.failed(Errors.NOT_LEADER_OR_FOLLOWER, null));
      return this;
    }
    AppendOutcome outcome = write(() -> log.appendAsLeader(append.records(), view.leaderEpoch()));
    // The high watermark first: a client that reads right after its acks=1 answer sees its records (ISR of one).
    view.leaderAppended();
    arrivals.arrived(view.topicPartition());
    append.replyTo().tell(outcome);
    return this;
  }

  private Behavior<Command> onAppendAsFollower(AppendAsFollower append) {
    AppendOutcome outcome = write(() -> {
      var batches = append.records().batches().iterator();
      long firstBaseOffset = batches.hasNext() ? batches.next().baseOffset() : log.logEndOffset();
      if (log.logStartOffset() == log.logEndOffset() && firstBaseOffset < log.logEndOffset()) {
        // An empty log restarted at the leader's log start, which lies inside the leader's first batch: start at that batch.
        log.truncateFullyAndRestartAt(firstBaseOffset);
      }
      return log.appendAsFollower(append.records());
    });
    view.followerHighWatermark(append.leaderHighWatermark());
    append.replyTo().tell(outcome);
    return this;
  }

  private Behavior<Command> onTruncateTo(TruncateTo request) {
    return cutLog(() -> log.truncateTo(request.offset()), "Truncating " + view.topicPartition() + " to " + request.offset(),
        request.replyTo());
  }

  private Behavior<Command> onRestartAt(RestartAt request) {
    return cutLog(() -> log.truncateFullyAndRestartAt(request.offset()),
        "Restarting the log of " + view.topicPartition() + " at " + request.offset(), request.replyTo());
  }

  /** A cut of a follower's log; a failed one is answered as failed, never as done. */
  private interface LogCut {
    void run() throws IOException;
  }

  private Behavior<Command> cutLog(LogCut cut, String what, ActorRef<StatusReply<Done>> replyTo) {
    try {
      cut.run();
    } catch (IOException e) {
      getContext().getLog().error("{} failed", what, e);
      replyTo.tell(StatusReply.error(what + " failed: " + e));
      return this;
    }
    view.followerHighWatermark(view.highWatermark());
    // A checkpoint above the cut would let a restart expose records that are not committed.
    checkpointHighWatermark();
    replyTo.tell(StatusReply.ack());
    return this;
  }

  private Behavior<Command> onStateChanged(StateChanged change) {
    boolean newLeaderEpoch = change.state().leaderEpoch() != view.leaderEpoch();
    view.update(change.state());
    if (newLeaderEpoch && view.isLeader()) {
      leaderEpochStartOffset = log.logEndOffset();
      leaderSinceMs = settings.clock().millis();
      try {
        log.startLeaderEpoch(view.leaderEpoch());
      } catch (IOException e) {
        // The first append in the epoch records it too; until then followers ask again.
        getContext().getLog().warn("Recording leader epoch {} of {} failed", view.leaderEpoch(), view.topicPartition(), e);
      }
    }
    return this;
  }

  /** A log operation's outcome as the client will see it. */
  private interface LogWrite {
    LogAppendInfo run() throws IOException;
  }

  private AppendOutcome write(LogWrite operation) {
    try {
      return AppendOutcome.ok(operation.run());
    } catch (IOException e) {
      getContext().getLog().error("Writing to {} failed", view.topicPartition(), e);
      return AppendOutcome.failed(Errors.KAFKA_STORAGE_ERROR, e.getMessage());
    } catch (RuntimeException e) {
      return AppendOutcome.failed(e);
    }
  }

  private Behavior<Command> onDeleteRecordsBefore(DeleteRecordsBefore request) {
    long target = request.offset() == -1 ? view.highWatermark() : request.offset();
    request.replyTo().tell(write(() -> {
      if (target < 0 || target > view.highWatermark()) {
        throw new OffsetOutOfRangeException("Cannot delete records of " + view.topicPartition() + " before " + target
            + ": the high watermark is " + view.highWatermark());
      }
      log.deleteRecordsBefore(target);
      return new LogAppendInfo(-1, -1, -1, log.logStartOffset(), false);
    }));
    return this;
  }

  private Behavior<Command> maybeProposeIsr() {
    PartitionState state = view.state();
    if (!view.isLeader() || isrProposalInFlight) {
      return this;
    }
    long nowMs = settings.clock().millis();
    var positions = view.followerPositions();
    List<Integer> wanted = new ArrayList<>(ReplicationRules.shrink(
        state.leader(), state.isr(), positions, nowMs, settings.replicaLagMax().toMillis(), leaderSinceMs));
    for (int replica : state.replicas()) {
      var position = positions.get(replica);
      // A lost broker's last position may still look caught up; the controller would refuse it.
      if (!wanted.contains(replica) && position != null && liveBrokers.test(replica)
          && nowMs - position.lastCaughtUpTimeMs() <= settings.replicaLagMax().toMillis()) {
        wanted.add(replica);
      }
    }
    view.propose(wanted, leaderEpochStartOffset).ifPresent(proposal -> {
      isrProposalInFlight = true;
      getContext().pipeToSelf(
          isrChanges.propose(view.topicPartition(), proposal.base(), proposal.isr()),
          (decision, failure) -> new IsrProposed(proposal.base(), failure == null ? decision : null));
    });
    return this;
  }

  private Behavior<Command> onIsrProposed(IsrProposed proposed) {
    isrProposalInFlight = false;
    IsrChanges.Decision decision = proposed.decision();
    if (decision == null) {
      // No answer: the controller may still apply it, so the high watermark keeps waiting for it.
      return this;
    }
    if (decision.error() == Errors.NONE) {
      view.update(decision.partition());
    } else if (decision.error() != Errors.INVALID_UPDATE_VERSION) {
      // INVALID_UPDATE_VERSION: a newer state exists, and its arrival ends the wait.
      view.proposalRefused(proposed.base());
    }
    return this;
  }

  private Behavior<Command> checkpointHighWatermark() {
    try {
      log.checkpointHighWatermark(view.highWatermark());
    } catch (IOException e) {
      getContext().getLog().error("Writing the high watermark of {} failed", view.topicPartition(), e);
    }
    return this;
  }

  private Behavior<Command> onStop() {
    try {
      if (deleteOnStop) {
        log.delete();
      } else {
        log.checkpointHighWatermark(view.highWatermark());
        log.close();
      }
    } catch (IOException e) {
      getContext().getLog().error("Closing the log of {} failed", view.topicPartition(), e);
    } finally {
      view.closed();
    }
    return this;
  }
}
