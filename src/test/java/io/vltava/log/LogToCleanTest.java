package io.vltava.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LogToCleanTest {
  private static final long NOW = 1_000_000;
  private static final CleanupConfig COMPACT = CleanupConfig.defaults().withPolicy("compact");

  /** Segments at 0, 100, 200, 300 (active) of 1000 bytes each, written long ago. */
  private static final List<SegmentInfo> SEGMENTS = List.of(
      segment(0, 100, 10, 20),
      segment(100, 200, 30, 40),
      segment(200, 300, 50, 60),
      segment(300, 350, 70, 80));

  /** 1000 bytes holding [base, end), first batch at {@code firstBatchMs}, newest record at {@code maxMs}. */
  private static SegmentInfo segment(long baseOffset, long endOffset, long firstBatchMs, long maxMs) {
    return new SegmentInfo(baseOffset, endOffset, 1000, maxMs, maxMs, firstBatchMs);
  }

  @Test
  void aNeverCleanedLogIsDirtyUpToTheActiveSegment() {
    LogToClean toClean = LogToClean.of(SEGMENTS, 0, -1, 350, COMPACT, NOW, Long.MAX_VALUE);
    assertEquals(0, toClean.firstDirtyOffset());
    assertEquals(300, toClean.firstUncleanableOffset(), "the active segment is never cleaned");
    assertEquals(3000, toClean.cleanableBytes());
    assertEquals(1.0, toClean.dirtyRatio());
    assertTrue(toClean.shouldClean(0.5));
  }

  @Test
  void theDirtyRatioCountsFromTheCheckpoint() {
    LogToClean toClean = LogToClean.of(SEGMENTS, 0, 200, 350, COMPACT, NOW, Long.MAX_VALUE);
    assertEquals(200, toClean.firstDirtyOffset());
    assertEquals(2000, toClean.cleanBytes());
    assertEquals(1000, toClean.cleanableBytes());
    assertEquals(1.0 / 3, toClean.dirtyRatio(), 1e-9);
    assertFalse(toClean.shouldClean(0.5));
    assertTrue(toClean.shouldClean(0.3));
  }

  @Test
  void nothingAtOrAboveTheHighWatermarksSegmentIsCleanable() {
    LogToClean toClean = LogToClean.of(SEGMENTS, 0, -1, 150, COMPACT, NOW, Long.MAX_VALUE);
    assertEquals(100, toClean.firstUncleanableOffset(), "the segment holding offset 150 may still be truncated");
    assertEquals(1000, toClean.cleanableBytes());
  }

  @Test
  void minCompactionLagKeepsYoungSegmentsDirty() {
    CleanupConfig lag = new CleanupConfig(true, false, 0, 0.5, NOW - 45, Long.MAX_VALUE);
    LogToClean toClean = LogToClean.of(SEGMENTS, 0, -1, 350, lag, NOW, Long.MAX_VALUE);
    assertEquals(200, toClean.firstUncleanableOffset(), "segment 200 holds a record younger than the lag (at 60)");
  }

  @Test
  void maxCompactionLagForcesCleaningBelowTheRatio() {
    CleanupConfig lag = new CleanupConfig(true, false, 0, 0.99, 0, NOW - 60);
    LogToClean toClean = LogToClean.of(SEGMENTS, 0, 200, 350, lag, NOW, Long.MAX_VALUE);
    assertTrue(toClean.dirtyRatio() < 0.99);
    assertTrue(toClean.overdue(), "the first dirty batch (at 50) is older than now - max lag (60)");
    assertTrue(toClean.shouldClean(0.99));
  }

  @Test
  void maxCompactionLagNotReachedLeavesTheRatioToDecide() {
    CleanupConfig lag = new CleanupConfig(true, false, 0, 0.99, 0, NOW - 40);
    LogToClean toClean = LogToClean.of(SEGMENTS, 0, 200, 350, lag, NOW, Long.MAX_VALUE);
    assertFalse(toClean.overdue());
    assertFalse(toClean.shouldClean(0.99));
  }

  @Test
  void dueTombstonesMakeACleanLogWorthCleaning() {
    LogToClean toClean = LogToClean.of(SEGMENTS, 0, 300, 350, COMPACT, NOW, NOW - 1);
    assertEquals(0, toClean.cleanableBytes());
    assertTrue(toClean.shouldClean(0.5));
    assertFalse(LogToClean.of(SEGMENTS, 0, 300, 350, COMPACT, NOW, NOW + 1).shouldClean(0.5));
  }

  @Test
  void aCheckpointOutsideTheLogRestartsAtTheLogStart() {
    assertEquals(100, LogToClean.of(SEGMENTS, 100, 50, 350, COMPACT, NOW, Long.MAX_VALUE).firstDirtyOffset());
    assertEquals(100, LogToClean.of(SEGMENTS, 100, 400, 350, COMPACT, NOW, Long.MAX_VALUE).firstDirtyOffset());
  }

  @Test
  void groupsStayWithinTheSegmentSize() {
    List<List<SegmentInfo>> groups = LogToClean.groupBySize(SEGMENTS.subList(0, 3), 2500);
    assertEquals(2, groups.size());
    assertEquals(List.of(0L, 100L), groups.get(0).stream().map(SegmentInfo::baseOffset).toList());
    assertEquals(List.of(200L), groups.get(1).stream().map(SegmentInfo::baseOffset).toList());
  }
}
