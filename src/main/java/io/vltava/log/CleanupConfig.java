package io.vltava.log;

/**
 * How a log discards old records, with Kafka's topic-config names in the comments: whole segments by
 * retention ({@code delete}), all but the last record of each key ({@code compact}), or both.
 * Immutable.
 */
public record CleanupConfig(
    boolean compact, // cleanup.policy contains "compact"
    boolean delete, // cleanup.policy contains "delete"
    long deleteRetentionMs, // delete.retention.ms: how long a cleaned tombstone stays readable
    double minCleanableDirtyRatio, // min.cleanable.dirty.ratio
    long minCompactionLagMs, // min.compaction.lag.ms: a record stays uncompacted at least this long
    long maxCompactionLagMs) { // max.compaction.lag.ms: a record is eligible for compaction after this long

  public static final String COMPACT = "compact";
  public static final String DELETE = "delete";

  /** Kafka's defaults: delete only. */
  public static CleanupConfig defaults() {
    return new CleanupConfig(false, true, 24L * 60 * 60 * 1000, 0.5, 0, Long.MAX_VALUE);
  }

  /** This config with cleanup.policy given as Kafka's comma-separated list. */
  public CleanupConfig withPolicy(String policy) {
    boolean compacts = false;
    boolean deletes = false;
    for (String value : policy.split(",")) {
      compacts |= value.trim().equals(COMPACT);
      deletes |= value.trim().equals(DELETE);
    }
    return new CleanupConfig(compacts, deletes, deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs,
        maxCompactionLagMs);
  }
}
