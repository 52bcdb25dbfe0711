package io.vltava.replica;

import io.vltava.log.PartitionLog;
import java.util.UUID;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What the rest of the node sees of one local partition replica: the actor that writes it, and a
 * read view of its log. The log is null until the actor has opened it and after it has closed it.
 */
public final class LocalReplica {
  private final TopicPartition topicPartition;
  private final UUID topicId;
  private volatile ActorRef<PartitionReplica.Command> writer;
  private volatile PartitionLog log;
  private volatile long highWatermark;
  private volatile int leaderEpoch;
  private final java.util.concurrent.CompletableFuture<Void> closed = new java.util.concurrent.CompletableFuture<>();

  LocalReplica(TopicPartition topicPartition, UUID topicId, int leaderEpoch) {
    this.topicPartition = topicPartition;
    this.topicId = topicId;
    this.leaderEpoch = leaderEpoch;
  }

  public TopicPartition topicPartition() {
    return topicPartition;
  }

  public UUID topicId() {
    return topicId;
  }

  /** The open log for reading, or null while it is opening or after it closed. */
  public PartitionLog log() {
    return log;
  }

  /** Consumers never read at or above this offset. */
  public long highWatermark() {
    return highWatermark;
  }

  public int leaderEpoch() {
    return leaderEpoch;
  }

  ActorRef<PartitionReplica.Command> writer() {
    return writer;
  }

  void leaderEpoch(int epoch) {
    this.leaderEpoch = epoch;
  }

  void writer(ActorRef<PartitionReplica.Command> writer) {
    this.writer = writer;
  }

  void opened(PartitionLog openedLog, long initialHighWatermark) {
    this.highWatermark = initialHighWatermark;
    this.log = openedLog;
  }

  void advanceHighWatermark(long offset) {
    highWatermark = offset;
  }

  void closed() {
    log = null;
    closed.complete(null);
  }

  /** Completes once the log is closed (or deleted) and its files are free. */
  java.util.concurrent.CompletionStage<Void> whenClosed() {
    return closed;
  }
}
