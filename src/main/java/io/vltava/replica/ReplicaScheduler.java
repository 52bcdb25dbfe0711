package io.vltava.replica;

import io.vltava.log.PartitionLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import scala.concurrent.ExecutionContext;

/**
 * The node's one schedule for its replicas' periodic work, in place of three timers per replica
 * (which at 10,000 partitions cost tens of thousands of messages a second on an idle node): every
 * ISR-check and maintenance interval it walks the local replicas and tells only those that
 * {@link ReplicaChores} finds something to do; the replicas' actors own their state and do that
 * work. Every high-watermark-checkpoint interval it writes the checkpoints whose high watermark
 * moved itself, one after another, as Kafka's checkpoint thread does: each is an fsync, and done by
 * the replicas' actors all at once they held up appends on every partition (and with them acks=all
 * produces) for hundreds of milliseconds every interval.
 *
 * <p>Thread-safety: a round may run on any thread, alongside others; it reads volatile views, sends
 * messages and writes checkpoints ({@link PartitionLog#checkpointHighWatermark} is thread-safe).
 */
final class ReplicaScheduler {
  private final Supplier<Collection<LocalReplica>> replicas;
  private final int localNodeId;
  private final List<Cancellable> schedules = new ArrayList<>();

  ReplicaScheduler(Supplier<Collection<LocalReplica>> replicas, int localNodeId) {
    this.replicas = replicas;
    this.localNodeId = localNodeId;
  }

  /**
   * Starts the three rounds at the intervals of {@code settings}; they stop with {@link #stop} or with
   * the scheduler. The checkpoint round blocks on disk, so it runs on {@code blockingExecutor}.
   */
  synchronized void start(PartitionReplica.Settings settings, Scheduler scheduler, ExecutionContext executor,
      ExecutionContext blockingExecutor) {
    every(settings.isrCheckInterval(), this::isrCheckRound, scheduler, executor);
    every(settings.maintenanceInterval(), this::maintenanceRound, scheduler, executor);
    every(settings.highWatermarkCheckpointInterval(), this::highWatermarkCheckpointRound, scheduler, blockingExecutor);
  }

  private void every(Duration interval, Runnable round, Scheduler scheduler, ExecutionContext executor) {
    schedules.add(scheduler.scheduleWithFixedDelay(interval, interval, round, executor));
  }

  /** No more rounds: the replicas are being closed, and ticks would reach stopped actors. */
  synchronized void stop() {
    schedules.forEach(Cancellable::cancel);
    schedules.clear();
  }

  void isrCheckRound() {
    for (LocalReplica replica : replicas.get()) {
      if (ReplicaChores.needsIsrCheck(replica.state(), replica.isLeader(), localNodeId, replica.statusUnreported())) {
        tell(replica, PartitionReplica.IsrTick.INSTANCE);
      }
    }
  }

  void maintenanceRound() {
    for (LocalReplica replica : replicas.get()) {
      if (replica.log() != null) { // retention, roll by age and flush.ms run on every open log
        tell(replica, PartitionReplica.MaintenanceTick.INSTANCE);
      }
    }
  }

  /** Writes the checkpoint of each open log whose high watermark moved; a failed write takes that replica offline. */
  void highWatermarkCheckpointRound() {
    for (LocalReplica replica : replicas.get()) {
      PartitionLog log = replica.log();
      long highWatermark = replica.highWatermark();
      if (log != null && ReplicaChores.needsHighWatermarkCheckpoint(highWatermark, log.highWatermarkOnDisk())) {
        try {
          log.checkpointHighWatermark(highWatermark);
        } catch (IOException | UncheckedIOException e) {
          IOException cause = e instanceof UncheckedIOException unchecked ? unchecked.getCause() : (IOException) e;
          tell(replica, new PartitionReplica.StorageFailed(log, "Checkpointing the high watermark of", cause));
        }
      }
    }
  }

  private static void tell(LocalReplica replica, PartitionReplica.Command tick) {
    ActorRef<PartitionReplica.Command> writer = replica.writer();
    if (writer != null) { // null until a re-created partition's old files are gone
      writer.tell(tick);
    }
  }
}
