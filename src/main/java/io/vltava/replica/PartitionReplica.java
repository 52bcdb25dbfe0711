package io.vltava.replica;

import io.vltava.log.ActiveProducer;
import io.vltava.log.LogAppendInfo;
import io.vltava.log.LogConfig;
import io.vltava.log.PartitionLog;
import io.vltava.metadata.PartitionState;
import io.vltava.metadata.ReplicationRules;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.TopicPartition;
import java.nio.file.Files;
import java.util.Comparator;
import java.util.stream.Stream;
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
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The single writer of one partition replica's log. It opens the log on start (recovering it if
 * needed) and applies, in mailbox order: leader appends, follower appends of the leader's batches,
 * truncation, record deletion and config changes; it closes the log cleanly when stopped. While it
 * leads, a periodic check proposes ISR changes to the controller: followers that fell behind for
 * {@code replica.lag.time.max.ms} leave, followers that caught up join. It keeps no timers of its
 * own for periodic work: the node's {@link ReplicaScheduler} sends the ISR check and maintenance
 * ticks to the replicas that have something to do (and writes the periodic high-watermark
 * checkpoints itself, off this actor). Runs on the log dispatcher.
 *
 * <p>Failure policy. An I/O error on the log (a full disk, a failed write, read, flush or open)
 * takes this replica offline, as Kafka takes a failed log dir offline: the error is logged once at
 * ERROR with the directory and cause, the request that hit it is answered KAFKA_STORAGE_ERROR and
 * never acknowledged, the files are released without a clean-shutdown marker, and the controller
 * is told, so leadership moves to another in-sync replica and this one leaves the ISR. While
 * offline every write is answered KAFKA_STORAGE_ERROR (retriable). After
 * {@code replica.storage.retry.backoff.ms}, doubling up to {@code replica.storage.retry.backoff.max.ms},
 * it reopens the log with crash recovery (back to the last valid batch); once that works it tells the
 * controller it is back and, as a follower, rejoins the ISR by catching up like any follower.
 * Other partitions and the node are not affected. Any other exception is a bug: Pekko restarts the
 * actor with backoff (the log reopens with recovery), never stopping it silently.
 */
public final class PartitionReplica {

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

  /**
   * {@code what} (a read, a high-watermark checkpoint) hit an I/O error in {@code failedLog} outside
   * this actor: the log goes offline if it is still the open one.
   */
  record StorageFailed(PartitionLog failedLog, String what, IOException cause) implements Command {}

  /** Retention, roll by age and flush.ms checks (from the node's {@link ReplicaScheduler}). */
  enum MaintenanceTick implements Command { INSTANCE }

  /** As leader, proposes ISR changes and reports followers catching up; reports the log's status if the controller has yet to hear it. */
  enum IsrTick implements Command { INSTANCE }

  private enum ReopenTick implements Command { INSTANCE }

  /** The controller's decision on a proposal made from {@code base}; null when it did not answer in time. */
  private record IsrProposed(PartitionState base, IsrChanges.Decision decision) implements Command {}

  /** The controller's answer to this replica's report that it is {@code online} or not; null when it did not answer in time. */
  private record StatusReported(boolean online, IsrChanges.Decision decision) implements Command {}

  /**
   * Settings that are the same for every replica on a node. An offline log is reopened after
   * {@code storageRetryBackoff}, doubling up to {@code storageRetryBackoffMax}. The node's
   * {@link ReplicaScheduler} runs maintenance every {@code maintenanceInterval}, checkpoints high
   * watermarks every {@code highWatermarkCheckpointInterval} and checks ISRs every {@link #isrCheckInterval}.
   */
  public record Settings(
      Duration maintenanceInterval, Duration replicaLagMax, Duration highWatermarkCheckpointInterval,
      Duration storageRetryBackoff, Duration storageRetryBackoffMax, Duration isrCheckIntervalMax, Clock clock) {

    /** Shrinking needs a check every replicaLagMax/2; rejoining should not wait that long: at most isrCheckIntervalMax. */
    public Duration isrCheckInterval() {
      Duration halfLag = replicaLagMax.dividedBy(2);
      return halfLag.compareTo(isrCheckIntervalMax) < 0 ? halfLag : isrCheckIntervalMax;
    }

    /** The replication settings of a node, with its retention check interval and clock. */
    public static Settings of(ReplicationSettings replication, Duration maintenanceInterval, Clock clock) {
      return new Settings(maintenanceInterval, replication.replicaLagMax(), replication.highWatermarkCheckpointInterval(),
          replication.storageRetryBackoff(), replication.storageRetryBackoffMax(), replication.isrCheckIntervalMax(), clock);
    }
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final LocalReplica view;
  private final Path dir;
  private LogConfig config;
  private final DataArrivals arrivals;
  private final IsrChanges isrChanges;
  private final IntPredicate liveBrokers;
  private final Settings settings;
  private final ReplicationProgress progress;
  private final int localNodeId;
  /** The open log; null while offline. */
  private PartitionLog log;
  private boolean deleteOnStop;
  private boolean isrProposalInFlight;
  /** The log end offset when this replica became leader at its current epoch: followers must reach it to join the ISR. */
  private long leaderEpochStartOffset;
  /** When this replica became leader at its current epoch: followers' lag counts from here at the latest. */
  private long leaderSinceMs;
  /** Whether the controller last heard that this replica is online; null when it must be told again. */
  private Boolean reportedOnline = Boolean.TRUE;
  private boolean reportInFlight;
  private Duration reopenBackoff;
  private int failedReopens;
  private final Behavior<Command> online;
  private final Behavior<Command> offline;

  static Behavior<Command> create(
      LocalReplica view, Path dir, LogConfig config, DataArrivals arrivals, IsrChanges isrChanges, IntPredicate liveBrokers,
      int localNodeId, Settings settings, ReplicationProgress progress) {
    Behavior<Command> replica = Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      context.setLoggerName(PartitionReplica.class);
      return new PartitionReplica(context, timers, view, dir, config, arrivals, isrChanges, liveBrokers, localNodeId, settings,
          progress).start();
    }));
    // I/O errors are handled inside (offline, then reopened); anything else is a bug, and a restart reopens the log.
    return Behaviors.supervise(replica).onFailure(Exception.class,
        SupervisorStrategy.restartWithBackoff(settings.storageRetryBackoff(), settings.storageRetryBackoffMax(), 0.2));
  }

  private PartitionReplica(
      ActorContext<Command> context, TimerScheduler<Command> timers, LocalReplica view, Path dir, LogConfig config,
      DataArrivals arrivals, IsrChanges isrChanges, IntPredicate liveBrokers, int localNodeId, Settings settings,
      ReplicationProgress progress) {
    this.context = context;
    this.timers = timers;
    this.view = view;
    this.dir = dir;
    this.config = config;
    this.arrivals = arrivals;
    this.isrChanges = isrChanges;
    this.liveBrokers = liveBrokers;
    this.localNodeId = localNodeId;
    this.settings = settings;
    this.progress = progress;
    this.reopenBackoff = settings.storageRetryBackoff();
    this.online = onlineBehavior();
    this.offline = offlineBehavior();
  }

  private Behavior<Command> start() {
    TopicPartition partition = view.topicPartition();
    LogRecoveryProgress recovery = progress.recovery();
    if (recovery.expects(partition)) {
      LogRecoveryProgress.SegmentFiles files = LogRecoveryProgress.segmentFiles(dir);
      recovery.started(partition, files.count(), files.bytes()).ifPresent(line -> context.getLog().info(line));
    }
    try {
      opened(PartitionLog.open(dir, config, settings.clock()));
      return online;
    } catch (IOException | UncheckedIOException e) {
      return goOffline("Opening", e);
    } finally {
      recovery.finished(partition).ifPresent(line -> context.getLog().info(line));
    }
  }

  private Behavior<Command> onlineBehavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Append.class, this::onAppend)
        .onMessage(AppendAsFollower.class, this::onAppendAsFollower)
        .onMessage(TruncateTo.class, this::onTruncateTo)
        .onMessage(RestartAt.class, this::onRestartAt)
        .onMessage(DeleteRecordsBefore.class, this::onDeleteRecordsBefore)
        .onMessage(StateChanged.class, this::onStateChanged)
        .onMessage(UpdateConfig.class, m -> {
          config = m.config();
          log.updateConfig(m.config());
          return online;
        })
        .onMessage(MaintenanceTick.class, m -> onLog("Maintenance of", () -> log.runMaintenance()))
        .onMessage(IsrTick.class, m -> {
          reportStatus();
          reportCatchUp();
          return maybeProposeIsr();
        })
        .onMessage(IsrProposed.class, this::onIsrProposed)
        .onMessage(StatusReported.class, this::onStatusReported)
        .onMessage(DescribeProducers.class, m -> {
          m.replyTo().tell(log.activeProducers());
          return online;
        })
        .onMessage(StorageFailed.class, m -> m.failedLog() == log ? goOffline(m.what(), m.cause()) : online)
        .onMessage(ReopenTick.class, m -> online)
        .onMessage(Close.class, m -> Behaviors.stopped())
        .onMessage(Delete.class, m -> {
          deleteOnStop = true;
          return Behaviors.stopped();
        })
        .onSignal(PreRestart.class, s -> {
          abandonLog();
          return online;
        })
        .onSignal(PostStop.class, s -> onStop())
        .build();
  }

  /** While the log is offline: writes are refused as KAFKA_STORAGE_ERROR, the state is followed, and the log reopened in time. */
  private Behavior<Command> offlineBehavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Append.class, m -> refuse(m.replyTo()))
        .onMessage(AppendAsFollower.class, m -> refuse(m.replyTo()))
        .onMessage(DeleteRecordsBefore.class, m -> refuse(m.replyTo()))
        .onMessage(TruncateTo.class, m -> refuseCut(m.replyTo()))
        .onMessage(RestartAt.class, m -> refuseCut(m.replyTo()))
        .onMessage(StateChanged.class, m -> {
          view.update(m.state());
          PartitionState state = m.state();
          if (state.leader() == localNodeId || (state.isr().contains(localNodeId) && state.isr().size() > 1)) {
            // Elected or kept in sync while offline (the controller acted on older news): tell it again.
            reportedOnline = null;
            reportStatus();
          }
          return offline;
        })
        .onMessage(UpdateConfig.class, m -> {
          config = m.config();
          return offline;
        })
        .onMessage(DescribeProducers.class, m -> {
          m.replyTo().tell(List.of());
          return offline;
        })
        .onMessage(IsrTick.class, m -> {
          reportStatus();
          return offline;
        })
        .onMessage(IsrProposed.class, m -> {
          isrProposalInFlight = false;
          return offline;
        })
        .onMessage(StatusReported.class, this::onStatusReported)
        .onMessage(ReopenTick.class, m -> reopen())
        .onMessage(MaintenanceTick.class, m -> offline)
        .onMessage(StorageFailed.class, m -> offline)
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
      return online;
    }
    return write("Appending to", append.replyTo(), () -> {
      LogAppendInfo info = log.appendAsLeader(append.records(), view.leaderEpoch());
      // The high watermark first: a client that reads right after its acks=1 answer sees its records (ISR of one).
      view.leaderAppended();
      arrivals.arrived(view.topicPartition());
      return info;
    });
  }

  private Behavior<Command> onAppendAsFollower(AppendAsFollower append) {
    return write("Appending (as follower) to", append.replyTo(), () -> {
      var batches = append.records().batches().iterator();
      long firstBaseOffset = batches.hasNext() ? batches.next().baseOffset() : log.logEndOffset();
      if (log.logStartOffset() == log.logEndOffset() && firstBaseOffset < log.logEndOffset()) {
        // An empty log restarted at the leader's log start, which lies inside the leader's first batch: start at that batch.
        log.truncateFullyAndRestartAt(firstBaseOffset);
      }
      LogAppendInfo info = log.appendAsFollower(append.records());
      view.followerHighWatermark(append.leaderHighWatermark());
      return info;
    });
  }

  private Behavior<Command> onTruncateTo(TruncateTo request) {
    return cutLog(() -> log.truncateTo(request.offset()), "Truncating to " + request.offset(), request.replyTo());
  }

  private Behavior<Command> onRestartAt(RestartAt request) {
    return cutLog(() -> log.truncateFullyAndRestartAt(request.offset()), "Restarting at " + request.offset(), request.replyTo());
  }

  /** A log operation that may fail with an I/O error. */
  private interface LogOperation {
    void run() throws IOException;
  }

  /** A cut of a follower's log; a failed one is answered as failed, never as done. */
  private Behavior<Command> cutLog(LogOperation cut, String what, ActorRef<StatusReply<Done>> replyTo) {
    try {
      cut.run();
      view.followerHighWatermark(view.highWatermark());
      // A checkpoint above the cut would let a restart expose records that are not committed.
      checkpointHighWatermark();
    } catch (IOException | UncheckedIOException e) {
      replyTo.tell(StatusReply.error(what + " the log of " + view.topicPartition() + " failed: " + e));
      return goOffline(what + " the log of", e);
    }
    replyTo.tell(StatusReply.ack());
    return online;
  }

  private Behavior<Command> onStateChanged(StateChanged change) {
    boolean newLeaderEpoch = change.state().leaderEpoch() != view.leaderEpoch();
    updateState(change.state());
    return newLeaderEpoch && view.isLeader() ? onLog("Recording the leader epoch of", this::startLeaderEpoch) : online;
  }

  /**
   * Takes the controller's state of the partition. A replica with no follower to watch any more
   * gets no ISR checks ({@link ReplicaChores#needsIsrCheck}), so it forgets its followers' catch-up
   * here: the new leader reports them.
   */
  private void updateState(PartitionState state) {
    view.update(state);
    if (!view.isLeader() || ReplicaChores.alone(view.state(), localNodeId)) {
      progress.catchUp().forget(view.topicPartition());
    }
  }

  private void startLeaderEpoch() throws IOException {
    leaderEpochStartOffset = log.logEndOffset();
    leaderSinceMs = settings.clock().millis();
    log.startLeaderEpoch(view.leaderEpoch());
  }

  /** Runs a log operation nobody waits for; an I/O error takes the replica offline. */
  private Behavior<Command> onLog(String what, LogOperation operation) {
    try {
      operation.run();
      return online;
    } catch (IOException | UncheckedIOException e) {
      return goOffline(what, e);
    }
  }

  /** A log write's outcome as the client will see it. */
  private interface LogWrite {
    LogAppendInfo run() throws IOException;
  }

  /**
   * Runs a write and answers it. An I/O error is answered KAFKA_STORAGE_ERROR and takes the replica
   * offline; any other exception is the request's own error (a corrupt batch, a stale epoch).
   */
  private Behavior<Command> write(String what, ActorRef<AppendOutcome> replyTo, LogWrite operation) {
    AppendOutcome outcome;
    try {
      outcome = AppendOutcome.ok(operation.run());
    } catch (IOException | UncheckedIOException e) {
      replyTo.tell(AppendOutcome.failed(Errors.KAFKA_STORAGE_ERROR, what + " " + view.topicPartition() + " failed: " + e));
      return goOffline(what, e);
    } catch (RuntimeException e) {
      outcome = AppendOutcome.failed(e);
    }
    replyTo.tell(outcome);
    return online;
  }

  private Behavior<Command> onDeleteRecordsBefore(DeleteRecordsBefore request) {
    long target = request.offset() == -1 ? view.highWatermark() : request.offset();
    return write("Deleting records of", request.replyTo(), () -> {
      if (target < 0 || target > view.highWatermark()) {
        throw new OffsetOutOfRangeException("Cannot delete records of " + view.topicPartition() + " before " + target
            + ": the high watermark is " + view.highWatermark());
      }
      log.deleteRecordsBefore(target);
      return new LogAppendInfo(-1, -1, -1, log.logStartOffset(), false);
    });
  }

  /**
   * The log failed: logged once at ERROR, its files released without a clean-shutdown marker (the
   * next open recovers it), readers answered KAFKA_STORAGE_ERROR, the controller told, and a
   * reopen scheduled.
   */
  private Behavior<Command> goOffline(String what, Exception cause) {
    context.getLog().error("{} {} in {} failed; the replica is offline and its log is reopened in {} ms",
        what, view.topicPartition(), dir, reopenBackoff.toMillis(), cause);
    abandonLog();
    view.offline(cause);
    failedReopens = 0;
    timers.startSingleTimer(ReopenTick.INSTANCE, reopenBackoff);
    reportStatus();
    return offline;
  }

  private void abandonLog() {
    if (log != null) {
      try {
        log.closeAfterFailure();
      } catch (IOException e) {
        context.getLog().warn("Releasing the files of {} failed", dir, e);
      }
      log = null;
    }
  }

  /** Reopens the log with crash recovery; on failure, tries again after a longer backoff (WARN on the first failure only). */
  private Behavior<Command> reopen() {
    try {
      opened(PartitionLog.open(dir, config, settings.clock()));
    } catch (IOException | UncheckedIOException e) {
      failedReopens++;
      reopenBackoff = reopenBackoff.multipliedBy(2).compareTo(settings.storageRetryBackoffMax()) < 0
          ? reopenBackoff.multipliedBy(2) : settings.storageRetryBackoffMax();
      if (failedReopens == 1) {
        context.getLog().warn("Reopening the log of {} in {} failed; retrying every {} ms at most until it works: {}",
            view.topicPartition(), dir, settings.storageRetryBackoffMax().toMillis(), e.toString());
      } else {
        context.getLog().debug("Reopening the log of {} failed again ({} attempts)", view.topicPartition(), failedReopens + 1, e);
      }
      abandonLog(); // opened, but recording the leader epoch failed
      view.offline(e);
      timers.startSingleTimer(ReopenTick.INSTANCE, reopenBackoff);
      return offline;
    }
    context.getLog().info("The log of {} in {} is back after {} failed reopens, recovered to offset {}",
        view.topicPartition(), dir, failedReopens, log.logEndOffset());
    reopenBackoff = settings.storageRetryBackoff();
    reportStatus();
    return online;
  }

  private void opened(PartitionLog opened) throws IOException {
    log = opened;
    view.opened(opened);
    if (view.isLeader()) {
      startLeaderEpoch();
    } else {
      leaderEpochStartOffset = opened.logEndOffset();
      leaderSinceMs = settings.clock().millis();
    }
  }

  /** Tells the controller whether the log is online, unless it already knows or is being told. */
  private void reportStatus() {
    boolean isOnline = log != null;
    boolean unreported = !Boolean.valueOf(isOnline).equals(reportedOnline);
    // Until the controller acknowledges it, the node's scheduler keeps sending ISR ticks, which report again.
    view.statusUnreported(unreported);
    if (reportInFlight || !unreported) {
      return;
    }
    reportInFlight = true;
    context.pipeToSelf(isrChanges.reportReplica(view.topicPartition(), localNodeId, isOnline),
        (decision, failure) -> new StatusReported(isOnline, failure == null ? decision : null));
  }

  private Behavior<Command> onStatusReported(StatusReported reported) {
    reportInFlight = false;
    IsrChanges.Decision decision = reported.decision();
    if (decision != null) {
      // Refused (a deleted topic, a replica moved away): nothing to tell the controller any more.
      reportedOnline = reported.online();
      if (decision.error() == Errors.NONE) {
        updateState(decision.partition());
      } else {
        context.getLog().warn("The controller refused the report that {} is {}: {}", view.topicPartition(),
            reported.online() ? "online" : "offline", decision.error());
      }
    }
    // Unanswered: the next ISR tick reports again.
    reportStatus();
    return log == null ? offline : online;
  }

  private Behavior<Command> refuse(ActorRef<AppendOutcome> replyTo) {
    replyTo.tell(AppendOutcome.failed(Errors.KAFKA_STORAGE_ERROR,
        "the log of " + view.topicPartition() + " on node " + localNodeId + " is offline: " + view.storageError()));
    return offline;
  }

  private Behavior<Command> refuseCut(ActorRef<StatusReply<Done>> replyTo) {
    replyTo.tell(StatusReply.error("the log of " + view.topicPartition() + " is offline"));
    return offline;
  }

  /**
   * As leader, reports how far each follower out of the ISR is behind (offsets and bytes of this
   * log past its position); followers in sync again are reported as caught up. Not leading, it
   * leaves its followers to the new leader.
   */
  private void reportCatchUp() {
    CatchUpProgress catchUp = progress.catchUp();
    TopicPartition partition = view.topicPartition();
    PartitionState state = view.state();
    if (!view.isLeader()) {
      catchUp.forget(partition);
      return;
    }
    long nowMs = settings.clock().millis();
    var positions = view.followerPositions();
    List<Integer> catchingUp = new ArrayList<>();
    for (int replica : state.replicas()) {
      if (replica == localNodeId || !liveBrokers.test(replica)) {
        continue; // a broker that is gone catches up once it is back
      }
      if (state.isr().contains(replica)) {
        catchUp.inSync(partition, replica, nowMs).ifPresent(line -> context.getLog().info(line));
        continue;
      }
      var position = positions.get(replica);
      long followerEnd = position == null ? log.logStartOffset() : position.logEndOffset();
      try {
        catchUp.behind(partition, replica, Math.max(0, log.logEndOffset() - followerEnd), log.bytesFrom(followerEnd),
                state.addingReplicas().contains(replica), nowMs)
            .ifPresent(line -> context.getLog().info(line));
        catchingUp.add(replica);
      } catch (IOException e) {
        // Only progress is lost; a read failure that matters shows on the next fetch.
        context.getLog().debug("Measuring how far replica {} of {} is behind failed", replica, partition, e);
      }
    }
    catchUp.retainReplicas(partition, catchingUp);
  }

  private Behavior<Command> maybeProposeIsr() {
    PartitionState state = view.state();
    if (!view.isLeader() || isrProposalInFlight) {
      return online;
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
      context.pipeToSelf(
          isrChanges.propose(view.topicPartition(), proposal.base(), proposal.isr()),
          (decision, failure) -> new IsrProposed(proposal.base(), failure == null ? decision : null));
    });
    return online;
  }

  private Behavior<Command> onIsrProposed(IsrProposed proposed) {
    isrProposalInFlight = false;
    IsrChanges.Decision decision = proposed.decision();
    if (decision == null) {
      // No answer: the controller may still apply it, so the high watermark keeps waiting for it.
      return online;
    }
    if (decision.error() == Errors.NONE) {
      updateState(decision.partition());
    } else if (decision.error() != Errors.INVALID_UPDATE_VERSION) {
      // INVALID_UPDATE_VERSION: a newer state exists, and its arrival ends the wait.
      view.proposalRefused(proposed.base());
    }
    return online;
  }

  private void checkpointHighWatermark() throws IOException {
    log.checkpointHighWatermark(view.highWatermark());
  }

  private Behavior<Command> onStop() {
    try {
      if (deleteOnStop) {
        deleteFiles();
      } else if (log != null) {
        log.checkpointHighWatermark(view.highWatermark());
        log.close();
      }
    } catch (IOException | UncheckedIOException e) {
      context.getLog().error("Closing the log of {} failed", view.topicPartition(), e);
    } finally {
      progress.catchUp().forget(view.topicPartition());
      view.closed();
    }
    return Behaviors.same();
  }

  /** Topic deletion: the open log deletes itself; an offline one's directory is removed file by file. */
  private void deleteFiles() throws IOException {
    if (log != null) {
      log.delete();
      return;
    }
    if (Files.exists(dir)) {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      }
    }
  }
}
