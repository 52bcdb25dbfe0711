package io.vltava.log;

import static io.vltava.log.LogTestSupport.batch;
import static io.vltava.log.LogTestSupport.config;
import static io.vltava.log.LogTestSupport.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vltava.log.LogTestSupport.Entry;
import io.vltava.log.LogTestSupport.ManualClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Swapping cleaned segments in (the log cleaner's last step): done live, and interrupted after
 * every file operation, the reopened log holds either the old segments or the cleaned ones, whole.
 */
class SegmentSwapTest {
  /** Offsets of the batch the "cleaner" drops in these tests. */
  private static final long DROPPED_BASE_OFFSET = 6;
  /** Flush, rename to ".swap", each of the two old segments renamed ".deleted", rename to plain names. */
  private static final int SWAP_FILE_OPERATIONS = 5;

  @TempDir Path root;
  private final ManualClock clock = new ManualClock(1_000_000);
  /** Two batches of two records per segment: segments [0,4) [4,8) [8,12) and the active [12,16). */
  private final LogConfig config = config(2 * batch(100, "k0", "v0").sizeInBytes(), 1);

  private static final class Crash extends RuntimeException {}

  private List<Entry> writeFourSegments(PartitionLog log) throws IOException {
    List<Entry> written = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      long first = log.appendAsLeader(batch(100 + i, "k" + i, "v" + i), 0).firstOffset();
      written.add(new Entry(first, "k" + i));
      written.add(new Entry(first + 1, "v" + i));
    }
    return written;
  }

  /** A cleaned segment at 0 holding the batches of segments 0 and 4 except the one at {@link #DROPPED_BASE_OFFSET}. */
  private LogSegment cleanFirstTwoSegments(Path dir, LocalLog local) throws IOException {
    LogSegment cleaned = LogSegment.createCleaned(dir, 0, config.segmentIndexBytes(), clock.millis());
    for (long baseOffset : List.of(0L, 4L)) {
      for (FileChannelRecordBatch batch : local.segment(baseOffset).orElseThrow().batches()) {
        if (batch.baseOffset() != DROPPED_BASE_OFFSET) {
          ByteBuffer copy = ByteBuffer.allocate(batch.sizeInBytes());
          batch.writeTo(copy);
          cleaned.append(MemoryRecords.readableRecords(copy.flip()), config.indexIntervalBytes(), clock.millis());
        }
      }
    }
    return cleaned;
  }

  private static List<String> fileNames(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.contains(".log") || n.contains("index"))
          .sorted().toList();
    }
  }

  private static List<Entry> without(List<Entry> entries, long... offsets) {
    List<Entry> kept = new ArrayList<>(entries);
    for (long offset : offsets) {
      kept.removeIf(e -> e.offset() == offset);
    }
    return kept;
  }

  @Test
  void aLiveSwapServesTheCleanedBatchesAndSurvivesAReopen() throws IOException {
    Path dir = root.resolve("log");
    List<Entry> written;
    try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
      written = writeFourSegments(log);
      LocalLog local = log.localLog();
      assertEquals(List.of(0L, 4L, 8L), local.inactiveSegments().stream().map(SegmentInfo::baseOffset).toList());
      assertEquals(List.of(4L, 8L, 12L), local.inactiveSegments().stream().map(SegmentInfo::endOffset).toList());
      LogSegment cleaned = cleanFirstTwoSegments(dir, local);
      assertThrows(IllegalArgumentException.class, () -> local.replaceSegments(cleaned, List.of(0L, 8L)));
      assertThrows(IllegalArgumentException.class, () -> local.replaceSegments(cleaned, List.of(0L, 4L, 8L, 12L)),
          "never the active segment");
      local.replaceSegments(cleaned, List.of(0L, 4L));
      assertEquals(without(written, 6, 7), readAll(log));
      assertEquals(List.of(0L, 8L), local.inactiveSegments().stream().map(SegmentInfo::baseOffset).toList());
    }
    try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
      assertEquals(without(written, 6, 7), readAll(log));
      assertEquals(16, log.appendAsLeader(batch(200, "after"), 0).firstOffset());
    }
    assertEquals(List.of(0L, 8L, 12L, 16L), segmentBaseOffsets(dir));
  }

  @Test
  void aCrashAfterAnyStepLeavesTheOldSegmentsOrTheCleanedOnesWhole() throws IOException {
    for (int crashAfter = 0; crashAfter < SWAP_FILE_OPERATIONS; crashAfter++) {
      Path dir = root.resolve("crash-" + crashAfter);
      PartitionLog crashed = PartitionLog.open(dir, config, clock);
      List<Entry> written = writeFourSegments(crashed);
      LocalLog local = crashed.localLog();
      LogSegment cleaned = cleanFirstTwoSegments(dir, local);
      int[] stepsDone = {0};
      int crashPoint = crashAfter;
      assertThrows(Crash.class, () -> local.replaceSegments(cleaned, List.of(0L, 4L), step -> {
        if (stepsDone[0]++ == crashPoint) {
          throw new Crash(); // the process dies here: nothing is closed, no clean-shutdown marker
        }
      }), "crash after file operation " + crashAfter);

      boolean swapDecided = crashAfter >= 1; // from the rename to .swap on
      try (PartitionLog reopened = PartitionLog.open(dir, config, clock)) {
        assertEquals(swapDecided ? without(written, 6, 7) : written, readAll(reopened), dir.toString());
        assertEquals(16, reopened.appendAsLeader(batch(200, "after"), 0).firstOffset());
      }
      assertEquals(swapDecided ? List.of(0L, 8L, 12L, 16L) : List.of(0L, 4L, 8L, 12L, 16L), segmentBaseOffsets(dir),
          dir.toString());
      for (String name : fileNames(dir)) {
        assertEquals(false, name.endsWith(".cleaned") || name.endsWith(".swap") || name.endsWith(".deleted"),
            name + " is left in " + dir);
      }
    }
  }

  private static List<Long> segmentBaseOffsets(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(LogSegment::isLogFile).map(LogSegment::baseOffsetOf).sorted().toList();
    }
  }
}
