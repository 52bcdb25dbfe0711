package io.vltava.log;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The segments of one log by base offset (Kafka's LogSegments). Invariant, once the log is
 * loaded: never empty; the last segment is the active one, the only one appended to; a segment's
 * offsets lie below the next segment's base offset.
 *
 * <p>Thread-safety: the log's writer adds and removes segments; readers look up and iterate
 * concurrently (a ConcurrentSkipListMap) and may meet a segment that is being deleted, whose
 * reads then fail with ClosedChannelException.
 */
final class LogSegments {
  private final ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();

  void add(LogSegment segment) {
    segments.put(segment.baseOffset(), segment);
  }

  /** Removes the segment from the map; the caller closes or deletes its files. */
  void remove(LogSegment segment) {
    segments.remove(segment.baseOffset(), segment);
  }

  /** The segment starting at {@code baseOffset}, if there is one. */
  Optional<LogSegment> get(long baseOffset) {
    return Optional.ofNullable(segments.get(baseOffset));
  }

  boolean isEmpty() {
    return segments.isEmpty();
  }

  int count() {
    return segments.size();
  }

  LogSegment active() {
    return segments.lastEntry().getValue();
  }

  LogSegment first() {
    return segments.firstEntry().getValue();
  }

  /** All segments, oldest first; a live view, safe to iterate while the writer changes it. */
  Collection<LogSegment> all() {
    return segments.values();
  }

  /** The segment that would hold {@code offset} (the first one if it is below every base offset) and all after it. */
  Collection<LogSegment> from(long offset) {
    Long floor = segments.floorKey(offset);
    return segments.tailMap(floor == null ? segments.firstKey() : floor, true).values();
  }

  /** Bytes of all segments, what Kafka reports as the partition's size. */
  long sizeBytes() {
    long total = 0;
    for (LogSegment segment : segments.values()) {
      total += segment.sizeBytes();
    }
    return total;
  }

  /** A snapshot of every segment, oldest first; the active one ends at {@code logEndOffset}. */
  List<SegmentInfo> infos(long logEndOffset) {
    List<SegmentInfo> infos = new ArrayList<>(segments.size());
    for (Map.Entry<Long, LogSegment> entry : segments.entrySet()) {
      Long next = segments.higherKey(entry.getKey());
      LogSegment segment = entry.getValue();
      infos.add(new SegmentInfo(segment.baseOffset(), next == null ? logEndOffset : next, segment.sizeBytes(),
          segment.maxTimestampMs(), segment.retentionTimestampMs(), segment.firstBatchTimestampMs()));
    }
    return infos;
  }
}
