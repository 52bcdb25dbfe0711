package io.vltava.log;

import static io.vltava.log.LogTestSupport.config;
import static io.vltava.log.LogTestSupport.with;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The retention decision on plain segment snapshots: which base offset becomes the log start. */
class LogRetentionTest {
  private static final long NOW_MS = 1_000_000;
  private static final LogConfig BASE = config(1 << 20, 4096);

  /** Segments [0,10) [10,20) [20,25 active), 100 bytes each, last touched at 1000, 2000, 3000 ms ago. */
  private static List<SegmentInfo> threeSegments() {
    return List.of(
        new SegmentInfo(0, 10, 100, NOW_MS - 1000, NOW_MS - 1000, -1),
        new SegmentInfo(10, 20, 100, NOW_MS - 500, NOW_MS - 500, -1),
        new SegmentInfo(20, 25, 100, NOW_MS - 100, NOW_MS - 100, -1));
  }

  @Test
  void nothingIsDueWithoutLimits() {
    assertEquals(0, LogRetention.retainedStartOffset(threeSegments(), NOW_MS, with(BASE, Long.MAX_VALUE, -1, -1)));
  }

  @Test
  void timeRemovesEverySegmentOlderThanRetentionMsOldestFirst() {
    assertEquals(10, LogRetention.retainedStartOffset(threeSegments(), NOW_MS, with(BASE, Long.MAX_VALUE, 900, -1)));
    assertEquals(20, LogRetention.retainedStartOffset(threeSegments(), NOW_MS, with(BASE, Long.MAX_VALUE, 400, -1)));
    assertEquals(25, LogRetention.retainedStartOffset(threeSegments(), NOW_MS, with(BASE, Long.MAX_VALUE, 50, -1)),
        "the active segment expires too: the log start becomes the log end");
  }

  @Test
  void sizeRemovesOldSegmentsWhileTheRestStaysAtLeastRetentionBytesButNeverTheActiveOne() {
    assertEquals(0, LogRetention.retainedStartOffset(threeSegments(), NOW_MS, with(BASE, Long.MAX_VALUE, -1, 250)),
        "without the oldest segment the log would fall below retention.bytes");
    assertEquals(10, LogRetention.retainedStartOffset(threeSegments(), NOW_MS, with(BASE, Long.MAX_VALUE, -1, 200)));
    assertEquals(20, LogRetention.retainedStartOffset(threeSegments(), NOW_MS, with(BASE, Long.MAX_VALUE, -1, 100)));
    assertEquals(20, LogRetention.retainedStartOffset(threeSegments(), NOW_MS, with(BASE, Long.MAX_VALUE, -1, 0)));
  }

  @Test
  void anEmptySegmentIsNotExpiredByTime() {
    List<SegmentInfo> segments = List.of(
        new SegmentInfo(0, 0, 0, -1, NOW_MS - 5000, -1),
        new SegmentInfo(0, 3, 100, NOW_MS - 5000, NOW_MS - 5000, -1));
    assertEquals(0, LogRetention.retainedStartOffset(segments, NOW_MS, with(BASE, Long.MAX_VALUE, 100, -1)));
  }
}
