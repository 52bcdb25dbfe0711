package io.vltava.replica;

import io.vltava.log.LogConfig;
import io.vltava.log.PartitionLog;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The single writer of one partition replica's log. It opens the log on start (recovering it if
 * needed), applies appends, record deletion and config changes in mailbox order, and closes the
 * log cleanly when stopped. Readers read the log directly through the {@link LocalReplica} view.
 * Runs on the log dispatcher: every message may block on file I/O.
 */
public final class PartitionReplica extends AbstractBehavior<PartitionReplica.Command> {

  public sealed interface Command {}

  public record Append(MemoryRecords records, ActorRef<AppendOutcome> replyTo) implements Command {}

  public record DeleteRecordsBefore(long offset, ActorRef<AppendOutcome> replyTo) implements Command {}

  public record UpdateConfig(LogConfig config) implements Command {}

  /** Stops the actor and closes the log cleanly (shutdown). */
  public record Close() implements Command {}

  /** Stops the actor and removes the log from disk (topic deletion). */
  public record Delete() implements Command {}

  private enum MaintenanceTick implements Command { INSTANCE }

  private final LocalReplica view;
  private final PartitionLog log;
  private final DataArrivals arrivals;
  private boolean deleteOnStop;

  static Behavior<Command> create(
      LocalReplica view, Path dir, LogConfig config, Clock clock, DataArrivals arrivals, Duration maintenanceInterval) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(MaintenanceTick.INSTANCE, maintenanceInterval);
      return new PartitionReplica(context, view, PartitionLog.open(dir, config, clock), arrivals);
    }));
  }

  private PartitionReplica(ActorContext<Command> context, LocalReplica view, PartitionLog log, DataArrivals arrivals) {
    super(context);
    this.view = view;
    this.log = log;
    this.arrivals = arrivals;
    // One node holds every replica in sync, so everything in the log is committed.
    view.opened(log, log.logEndOffset());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Append.class, this::onAppend)
        .onMessage(DeleteRecordsBefore.class, this::onDeleteRecordsBefore)
        .onMessage(UpdateConfig.class, m -> {
          log.updateConfig(m.config());
          return this;
        })
        .onMessage(MaintenanceTick.class, m -> {
          log.runMaintenance();
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
    AppendOutcome outcome;
    try {
      outcome = AppendOutcome.ok(log.appendAsLeader(append.records(), view.leaderEpoch()));
      view.advanceHighWatermark(log.logEndOffset());
      arrivals.arrived(view.topicPartition());
    } catch (IOException e) {
      getContext().getLog().error("Append to {} failed", view.topicPartition(), e);
      outcome = AppendOutcome.failed(Errors.KAFKA_STORAGE_ERROR, e.getMessage());
    } catch (RuntimeException e) {
      outcome = AppendOutcome.failed(e);
    }
    append.replyTo().tell(outcome);
    return this;
  }

  private Behavior<Command> onDeleteRecordsBefore(DeleteRecordsBefore request) {
    AppendOutcome outcome;
    try {
      long target = request.offset() == -1 ? view.highWatermark() : request.offset();
      if (target < 0 || target > view.highWatermark()) {
        throw new org.apache.kafka.common.errors.OffsetOutOfRangeException(
            "Cannot delete records of " + view.topicPartition() + " before " + target + ": the high watermark is " + view.highWatermark());
      }
      log.deleteRecordsBefore(target);
      outcome = AppendOutcome.ok(new io.vltava.log.LogAppendInfo(-1, -1, -1, log.logStartOffset(), false));
    } catch (IOException e) {
      outcome = AppendOutcome.failed(Errors.KAFKA_STORAGE_ERROR, e.getMessage());
    } catch (RuntimeException e) {
      outcome = AppendOutcome.failed(e);
    }
    request.replyTo().tell(outcome);
    return this;
  }

  private Behavior<Command> onStop() {
    try {
      if (deleteOnStop) {
        log.delete();
      } else {
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
