package io.vltava.persistence;

import io.vltava.replica.AppendOutcome;
import io.vltava.replica.DirectCompletion;
import io.vltava.replica.PartitionLeader;
import io.vltava.replica.ReplicaManager;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.LeaderNotAvailableException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Journal or snapshot storage in the partitions of one topic, reached through each partition's leader entity
 * (cluster sharding), so a persistent actor on any node writes to and recovers from the leader.
 */
public final class ReplicaJournalStorage implements JournalStorage {
  /** Reads stay well below Artery's 256 KiB frame, since the leader may be on another node. */
  private static final int MAX_READ_BYTES = 128 * 1024;

  private final ReplicaManager replicas;
  private final JournalSettings settings;
  private final String topic;

  private final Executor blockingExecutor;

  /** Storage in {@code topic}: the journal's or the snapshot store's, both with the journal's partition count. */
  public ReplicaJournalStorage(org.apache.pekko.actor.typed.ActorSystem<?> system, ReplicaManager replicas,
      JournalSettings settings, String topic) {
    this.replicas = replicas;
    this.settings = settings;
    this.topic = topic;
    this.blockingExecutor = system.dispatchers().lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking());
  }

  @Override
  public int partitionCount() {
    return settings.partitions();
  }

  @Override
  public CompletionStage<Long> append(int partition, MemoryRecords records) {
    ByteBuffer buffer = records.buffer().duplicate();
    byte[] batches = new byte[buffer.remaining()];
    buffer.get(batches);
    return DirectCompletion.of(leader(partition)
            .<AppendOutcome>ask(replyTo -> new PartitionLeader.Append(batches, replyTo), settings.writeTimeout()))
        .thenApply(outcome -> {
          if (outcome.error() != Errors.NONE) {
            throw outcome.error().exception(outcome.errorMessage());
          }
          return outcome.info().firstOffset();
        });
  }

  @Override
  public Records read(int partition, long offset, int maxBytes) throws IOException {
    PartitionLeader.ReadResult result = readFromLeader(partition, offset, Math.min(maxBytes, MAX_READ_BYTES));
    return MemoryRecords.readableRecords(ByteBuffer.wrap(result.batches()));
  }

  @Override
  public long startOffset(int partition) {
    return bounds(partition).logStartOffset();
  }

  @Override
  public long endOffset(int partition) {
    return bounds(partition).highWatermark();
  }

  /**
   * Reads block waiting for the leader entity, which reads on the log dispatcher; waiting on that
   * same dispatcher could take all its threads and deadlock, so the waits use Pekko's blocking-I/O one.
   */
  @Override
  public Executor ioExecutor() {
    return blockingExecutor;
  }

  private PartitionLeader.ReadResult bounds(int partition) {
    try {
      return readFromLeader(partition, 0, 0);
    } catch (IOException e) {
      throw new LeaderNotAvailableException(e.getMessage(), e);
    }
  }

  /** Blocks on the leader's answer; callers run on {@link #ioExecutor}. */
  private PartitionLeader.ReadResult readFromLeader(int partition, long offset, int maxBytes) throws IOException {
    try {
      PartitionLeader.ReadResult result = leader(partition)
          .<PartitionLeader.ReadResult>ask(replyTo -> new PartitionLeader.Read(offset, maxBytes, replyTo), settings.writeTimeout())
          .toCompletableFuture().get(settings.writeTimeout().toMillis(), TimeUnit.MILLISECONDS);
      if (result.error() != Errors.NONE && result.error() != Errors.OFFSET_OUT_OF_RANGE) {
        throw result.error().exception("reading " + topic + " partition " + partition + " at " + offset);
      }
      return result;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted reading " + topic + " partition " + partition);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException(topic + " partition " + partition + " did not answer", e);
    }
  }

  private EntityRef<PartitionLeader.Command> leader(int partition) {
    return replicas.leaderRef(new TopicPartition(topic, partition));
  }
}
