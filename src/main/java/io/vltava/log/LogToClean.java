package io.vltava.log;

import java.util.ArrayList;
import java.util.List;

/**
 * Which part of a compacted log the cleaner may rewrite now, and whether it should: Kafka's
 * LogToClean and the cleanable-offset rules of its LogCleanerManager, as pure functions.
 *
 * <p>The log is {@code [logStartOffset, ...)}: the clean part {@code [logStart, firstDirtyOffset)}
 * was cleaned before; the dirty part {@code [firstDirtyOffset, firstUncleanableOffset)} was written
 * since; nothing at or above {@code firstUncleanableOffset} may be touched. That bound is always a
 * segment boundary, at or below the base of the active segment, of the segment holding the high
 * watermark (a follower may still lose what is above it), and of the first segment holding a record
 * younger than min.compaction.lag.ms.
 */
record LogToClean(long firstDirtyOffset, long firstUncleanableOffset, long cleanBytes, long cleanableBytes,
    boolean overdue) {

  /**
   * @param segments oldest first; the last is the active segment
   * @param checkpointedFirstDirty where the last cleaning ended, or -1 if never cleaned
   * @param tombstoneHorizonMs the earliest time a tombstone kept by an earlier cleaning may go, or Long.MAX_VALUE
   */
  static LogToClean of(List<SegmentInfo> segments, long logStartOffset, long checkpointedFirstDirty, long highWatermark,
      CleanupConfig config, long nowMs, long tombstoneHorizonMs) {
    long activeBase = segments.get(segments.size() - 1).baseOffset();
    long firstDirty = checkpointedFirstDirty < logStartOffset || checkpointedFirstDirty > activeBase
        ? logStartOffset : checkpointedFirstDirty;
    long firstUncleanable = activeBase;
    long cleanBytes = 0;
    long dirtyBytes = 0;
    long earliestDirtyTimestampMs = Long.MAX_VALUE;
    for (SegmentInfo segment : segments.subList(0, segments.size() - 1)) {
      long endOffset = segment.endOffset();
      if (endOffset <= firstDirty) {
        cleanBytes += segment.sizeBytes();
        continue;
      }
      boolean tooYoung = config.minCompactionLagMs() > 0 && segment.maxTimestampMs() > nowMs - config.minCompactionLagMs();
      if (endOffset > highWatermark || tooYoung) {
        firstUncleanable = segment.baseOffset();
        break;
      }
      dirtyBytes += segment.sizeBytes();
      if (segment.firstBatchTimestampMs() >= 0) {
        earliestDirtyTimestampMs = Math.min(earliestDirtyTimestampMs, segment.firstBatchTimestampMs());
      }
    }
    firstUncleanable = Math.max(firstUncleanable, firstDirty);
    boolean lagExceeded = earliestDirtyTimestampMs < nowMs - config.maxCompactionLagMs();
    boolean tombstonesDue = nowMs >= tombstoneHorizonMs && cleanBytes > 0;
    return new LogToClean(firstDirty, firstUncleanable, cleanBytes, dirtyBytes,
        (lagExceeded && dirtyBytes > 0) || tombstonesDue);
  }

  /** The share of the cleanable bytes written since the last cleaning. */
  double dirtyRatio() {
    long total = cleanBytes + cleanableBytes;
    return total == 0 ? 0 : (double) cleanableBytes / total;
  }

  /** Kafka's rule: clean when overdue, or when the dirty share reaches min.cleanable.dirty.ratio. */
  boolean shouldClean(double minCleanableDirtyRatio) {
    return overdue || (cleanableBytes > 0 && dirtyRatio() >= minCleanableDirtyRatio);
  }

  /**
   * Consecutive segments the cleaner rewrites into one: each group holds at most
   * {@code maxGroupBytes} (segment.bytes) unless a single segment is larger, and spans fewer than
   * 2^31 offsets, as relative offsets in the indexes are ints.
   */
  static List<List<SegmentInfo>> groupBySize(List<SegmentInfo> segments, long maxGroupBytes) {
    List<List<SegmentInfo>> groups = new ArrayList<>();
    List<SegmentInfo> group = new ArrayList<>();
    long groupBytes = 0;
    for (SegmentInfo segment : segments) {
      boolean fits = group.isEmpty() || (groupBytes + segment.sizeBytes() <= maxGroupBytes
          && segment.endOffset() - 1 - group.get(0).baseOffset() <= Integer.MAX_VALUE);
      if (!fits) {
        groups.add(group);
        group = new ArrayList<>();
        groupBytes = 0;
      }
      group.add(segment);
      groupBytes += segment.sizeBytes();
    }
    if (!group.isEmpty()) {
      groups.add(group);
    }
    return groups;
  }
}
