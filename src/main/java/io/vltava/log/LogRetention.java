package io.vltava.log;

import java.util.List;

/**
 * Decides how far retention moves a log's start: whole segments go, oldest first, while they are
 * older than retention.ms or while the log without them still holds at least retention.bytes (Kafka's
 * retention checks in UnifiedLog), unless cleanup.policy leaves out "delete". An empty segment is never expired by time, and retention.bytes
 * never removes the active segment; retention.ms may, and then the log start becomes the log end.
 *
 * <p>Stateless, a pure function of the segments' snapshot, the time and the config.
 */
final class LogRetention {
  private LogRetention() {}

  /**
   * The first offset retention keeps, given every segment oldest first (the last is the active
   * one, ending at the log end offset): the base offset of the first segment to keep, the log end
   * offset if none is kept, the first segment's base offset if nothing is due.
   */
  static long retainedStartOffset(List<SegmentInfo> oldestFirst, long nowMs, LogConfig config) {
    if (!config.cleanup().delete()) {
      return oldestFirst.get(0).baseOffset(); // compact only: the cleaner, not retention, bounds the log
    }
    int deletable = 0;
    if (config.retentionMs() >= 0) {
      while (deletable < oldestFirst.size() && oldestFirst.get(deletable).sizeBytes() > 0
          && oldestFirst.get(deletable).retentionTimestampMs() < nowMs - config.retentionMs()) {
        deletable++;
      }
    }
    if (config.retentionBytes() >= 0) {
      long excessBytes = -config.retentionBytes();
      for (SegmentInfo segment : oldestFirst) {
        excessBytes += segment.sizeBytes();
      }
      for (int i = 0; i < oldestFirst.size() - 1; i++) {
        excessBytes -= oldestFirst.get(i).sizeBytes();
        if (excessBytes < 0) {
          break;
        }
        deletable = Math.max(deletable, i + 1);
      }
    }
    return deletable < oldestFirst.size()
        ? oldestFirst.get(deletable).baseOffset()
        : oldestFirst.get(oldestFirst.size() - 1).endOffset();
  }
}
