package io.vltava.persistence;

import io.vltava.log.PartitionLog;
import io.vltava.replica.LocalReplica;
import io.vltava.replica.ReplicaManager;
import java.io.IOException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.LeaderNotAvailableException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;

/** Journal storage in the partitions of one topic whose replicas this node leads. */
public final class ReplicaJournalStorage implements JournalStorage {
  private final ReplicaManager replicas;
  private final JournalSettings settings;

  public ReplicaJournalStorage(ReplicaManager replicas, JournalSettings settings) {
    this.replicas = replicas;
    this.settings = settings;
  }

  /** True once every journal partition is open here as leader. */
  public boolean ready() {
    for (int p = 0; p < settings.partitions(); p++) {
      if (replicas.leaderError(partition(p)) != Errors.NONE) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int partitionCount() {
    return settings.partitions();
  }

  @Override
  public CompletionStage<Long> append(int partition, MemoryRecords records) {
    return replicas.append(partition(partition), records, settings.writeTimeout()).thenApply(outcome -> {
      if (outcome.error() != Errors.NONE) {
        throw outcome.error().exception(outcome.errorMessage());
      }
      return outcome.info().firstOffset();
    });
  }

  @Override
  public Records read(int partition, long offset, int maxBytes) throws IOException {
    LocalReplica replica = replica(partition);
    return log(replica).read(offset, maxBytes, replica.highWatermark()).records();
  }

  @Override
  public long startOffset(int partition) {
    return log(replica(partition)).logStartOffset();
  }

  @Override
  public long endOffset(int partition) {
    return replica(partition).highWatermark();
  }

  @Override
  public Executor ioExecutor() {
    return replicas.ioExecutor();
  }

  private TopicPartition partition(int partition) {
    return new TopicPartition(settings.topic(), partition);
  }

  private LocalReplica replica(int partition) {
    return replicas.replica(partition(partition))
        .orElseThrow(() -> new LeaderNotAvailableException("journal partition " + partition + " is not on this node"));
  }

  private static PartitionLog log(LocalReplica replica) {
    PartitionLog log = replica.log();
    if (log == null) {
      throw new LeaderNotAvailableException(replica.topicPartition() + " is not open");
    }
    return log;
  }
}
