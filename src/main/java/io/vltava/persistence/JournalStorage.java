package io.vltava.persistence;

import java.io.IOException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;

/**
 * The partitions the Vltava journal is stored in: those of one internal topic. The node registers
 * an implementation with {@link JournalStorageExtension} before any persistent actor starts.
 */
public interface JournalStorage {

  int partitionCount();

  /** Appends {@code records} to {@code partition}; completes with the offset given to the first record. */
  CompletionStage<Long> append(int partition, MemoryRecords records);

  /**
   * Whole batches from the one holding {@code offset}, at most about {@code maxBytes}, below the
   * committed end of the partition; empty at that end. Blocks on file I/O: call it on {@link #ioExecutor}.
   */
  Records read(int partition, long offset, int maxBytes) throws IOException;

  long startOffset(int partition);

  /** The offset after the last committed record. */
  long endOffset(int partition);

  /** Where blocking reads run. */
  Executor ioExecutor();
}
