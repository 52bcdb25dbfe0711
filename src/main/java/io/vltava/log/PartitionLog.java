package io.vltava.log;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.FileRecords;

/**
 * The append-only log of one partition replica: a directory of segments.
 * One writer (the partition's actor), many concurrent readers.
 * API contract; the implementation lands with the storage-engine work.
 */
public final class PartitionLog implements AutoCloseable {

  private PartitionLog() {}

  /** Opens (and, after an unclean shutdown, recovers) the log in {@code dir}, creating it if absent. */
  public static PartitionLog open(Path dir, LogConfig config, Clock clock) throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * Validates every batch, checks idempotent-producer sequences, assigns offsets from the log end
   * offset and stamps {@code leaderEpoch}. Writes nothing if any batch is rejected.
   * Throws Kafka's own exception types (CorruptRecordException, RecordTooLargeException,
   * InvalidRecordException, OutOfOrderSequenceException, InvalidProducerEpochException) naming the reason.
   */
  public LogAppendInfo appendAsLeader(MemoryRecords records, int leaderEpoch) throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * Whole batches from the one containing {@code fetchOffset}, up to {@code maxBytes} (at least one
   * batch), never including offsets at or above {@code maxOffsetExclusive}.
   * Throws OffsetOutOfRangeException below the log start offset or above the log end offset.
   */
  public FetchedRecords read(long fetchOffset, int maxBytes, long maxOffsetExclusive) throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  public long logStartOffset() { throw new UnsupportedOperationException("not yet"); }

  public long logEndOffset() { throw new UnsupportedOperationException("not yet"); }

  /** The first offset whose timestamp is >= {@code timestampMs}. */
  public Optional<FileRecords.TimestampAndOffset> offsetForTimestamp(long timestampMs) throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  /** The offset and timestamp of the record with the largest timestamp (ListOffsets MAX_TIMESTAMP). */
  public Optional<FileRecords.TimestampAndOffset> offsetOfMaxTimestamp() throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  public void truncateTo(long offset) throws IOException { throw new UnsupportedOperationException("not yet"); }

  /** Advances the log start offset (DeleteRecords); deletes segments wholly below it. */
  public void deleteRecordsBefore(long offset) throws IOException { throw new UnsupportedOperationException("not yet"); }

  /** Rolls segments by age and deletes whole segments beyond retention.ms / retention.bytes. */
  public void runMaintenance() throws IOException { throw new UnsupportedOperationException("not yet"); }

  public void updateConfig(LogConfig config) { throw new UnsupportedOperationException("not yet"); }

  public LogConfig config() { throw new UnsupportedOperationException("not yet"); }

  public LeaderEpochCache leaderEpochCache() { throw new UnsupportedOperationException("not yet"); }

  public void flush() throws IOException { throw new UnsupportedOperationException("not yet"); }

  /** Flushes and writes the clean-shutdown marker. */
  @Override
  public void close() throws IOException { throw new UnsupportedOperationException("not yet"); }

  /** Closes and removes the directory (topic deletion). */
  public void delete() throws IOException { throw new UnsupportedOperationException("not yet"); }
}
