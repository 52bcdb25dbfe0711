package io.vltava.log;

import org.apache.kafka.common.record.TimestampType;

/**
 * The per-partition settings of a log, with Kafka's topic-config names in the comments.
 * Immutable; a config change replaces the whole value ({@link PartitionLog#updateConfig}).
 */
public record LogConfig(
    int segmentBytes, // segment.bytes
    long segmentMs, // segment.ms
    long retentionMs, // retention.ms, -1 = unlimited
    long retentionBytes, // retention.bytes, -1 = unlimited
    int maxMessageBytes, // max.message.bytes: the largest record batch accepted
    int indexIntervalBytes, // index.interval.bytes
    int segmentIndexBytes, // segment.index.bytes: bound of each index file
    long flushMessages, // flush.messages, Long.MAX_VALUE = leave it to the OS
    long flushMs, // flush.ms, Long.MAX_VALUE = leave it to the OS
    TimestampType timestampType, // message.timestamp.type
    CleanupConfig cleanup, // cleanup.policy and the compaction settings
    long fileDeleteDelayMs) { // file.delete.delay.ms: how long a removed segment's files outlive it

  /** A log with Kafka's default cleanup: retention only. */
  public LogConfig(int segmentBytes, long segmentMs, long retentionMs, long retentionBytes, int maxMessageBytes,
      int indexIntervalBytes, int segmentIndexBytes, long flushMessages, long flushMs, TimestampType timestampType) {
    this(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, indexIntervalBytes, segmentIndexBytes,
        flushMessages, flushMs, timestampType, CleanupConfig.defaults(), DEFAULT_FILE_DELETE_DELAY_MS);
  }

  /** Kafka's file.delete.delay.ms. */
  public static final long DEFAULT_FILE_DELETE_DELAY_MS = 60_000;

  /**
   * The age at which the active segment rolls: segment.ms, or sooner for a compacted log whose
   * max.compaction.lag.ms is shorter, since the cleaner never touches the active segment (as Kafka).
   */
  public long rollAfterMs() {
    return cleanup.compact() ? Math.min(segmentMs, cleanup.maxCompactionLagMs()) : segmentMs;
  }

  public LogConfig withCleanup(CleanupConfig cleanup) {
    return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, indexIntervalBytes,
        segmentIndexBytes, flushMessages, flushMs, timestampType, cleanup, fileDeleteDelayMs);
  }

  public LogConfig withFileDeleteDelayMs(long fileDeleteDelayMs) {
    return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, indexIntervalBytes,
        segmentIndexBytes, flushMessages, flushMs, timestampType, cleanup, fileDeleteDelayMs);
  }

  /** Kafka's defaults. */
  public static LogConfig defaults() {
    return new LogConfig(
        1024 * 1024 * 1024,
        7L * 24 * 60 * 60 * 1000,
        7L * 24 * 60 * 60 * 1000,
        -1L,
        1024 * 1024 + 12,
        4096,
        10 * 1024 * 1024,
        Long.MAX_VALUE,
        Long.MAX_VALUE,
        TimestampType.CREATE_TIME,
        CleanupConfig.defaults(),
        DEFAULT_FILE_DELETE_DELAY_MS);
  }
}
