package io.vltava.group;

import java.util.List;

/**
 * Which committed offsets have expired (Kafka's offsets.retention.minutes): none while the group
 * has members; without members, those whose commit and the group's emptying are both older than
 * the retention.
 */
public final class OffsetExpiry {
  private OffsetExpiry() {}

  public static List<CommittedOffset.PartitionKey> expired(
      GroupOffsets offsets, boolean hasMembers, long emptySinceMs, long nowMs, long retentionMs) {
    if (hasMembers) {
      return List.of();
    }
    return offsets.byPartition().values().stream()
        .filter(offset -> nowMs - Math.max(offset.commitTimestampMs(), emptySinceMs) >= retentionMs)
        .map(CommittedOffset::key)
        .toList();
  }
}
