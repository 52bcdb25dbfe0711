package io.vltava.persistence;

import io.vltava.log.PartitionLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;

/** One partition in a real log on disk, shared by several stores as the partition leader shares it. */
final class SharedLogPartition implements JournalStorage {
  private final PartitionLog log;
  private final Executor io;

  SharedLogPartition(PartitionLog log, Executor io) {
    this.log = log;
    this.io = io;
  }

  @Override
  public int partitionCount() {
    return 1;
  }

  @Override
  public synchronized CompletionStage<Long> append(int partition, MemoryRecords records) {
    try {
      return CompletableFuture.completedFuture(log.appendAsLeader(records, 0).firstOffset());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Records read(int partition, long offset, int maxBytes) throws IOException {
    return log.read(offset, maxBytes, log.logEndOffset()).records();
  }

  @Override
  public long startOffset(int partition) {
    return log.logStartOffset();
  }

  @Override
  public long endOffset(int partition) {
    return log.logEndOffset();
  }

  @Override
  public Executor ioExecutor() {
    return io;
  }
}
