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
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged files after a crash: the reopened log holds exactly the longest valid prefix. */
class RecoveryTest {
  @TempDir Path root;
  private final ManualClock clock = new ManualClock(1_000_000);
  private final LogConfig config = config(600, 1);

  /** Writes 20 batches of two records (offsets 2i, 2i+1, timestamp 100+i) and closes cleanly. */
  private List<Entry> writePristine(Path dir) throws IOException {
    List<Entry> written = new ArrayList<>();
    try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
      for (int i = 0; i < 20; i++) {
        long first = log.appendAsLeader(batch(100 + i, "k" + i, "v" + i), 0).firstOffset();
        written.add(new Entry(first, "k" + i));
        written.add(new Entry(first + 1, "v" + i));
      }
    }
    return written;
  }

  private static void copyDir(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }

  private static List<Path> logFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(LogSegment::isLogFile).sorted().toList();
    }
  }

  /** Batch start positions in one segment file. */
  private static List<Integer> batchPositions(Path logFile) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(logFile));
    List<Integer> positions = new ArrayList<>();
    for (int pos = 0; pos < buf.limit(); pos += BatchHeader.sizeBytes(buf, pos)) {
      positions.add(pos);
    }
    return positions;
  }

  private static long firstOffsetAt(Path logFile, int position) throws IOException {
    return ByteBuffer.wrap(Files.readAllBytes(logFile)).getLong(position);
  }

  private PartitionLog openUnclean(Path dir) throws IOException {
    Files.deleteIfExists(dir.resolve(LogCheckpoints.CLEAN_SHUTDOWN_FILE));
    return PartitionLog.open(dir, config, clock);
  }

  private void assertHoldsPrefixAndAcceptsAppends(Path dir, List<Entry> written, long expectedEnd) throws IOException {
    List<Entry> prefix = written.stream().filter(e -> e.offset() < expectedEnd).toList();
    try (PartitionLog log = openUnclean(dir)) {
      assertEquals(expectedEnd, log.logEndOffset(), dir.toString());
      assertEquals(prefix, readAll(log));
      assertEquals(expectedEnd, log.appendAsLeader(batch(500, "after"), 1).firstOffset());
    }
    try (PartitionLog log = openUnclean(dir)) {
      assertEquals(expectedEnd + 1, log.logEndOffset(), "the append after recovery survives another crash");
      assertEquals(prefix.size() + 1, readAll(log).size());
    }
  }

  @Test
  void aTornLastBatchIsCutAtEveryPosition() throws IOException {
    Path pristine = root.resolve("pristine");
    List<Entry> written = writePristine(pristine);
    Path active = logFiles(pristine).get(logFiles(pristine).size() - 1);
    List<Integer> positions = batchPositions(active);
    int lastStart = positions.get(positions.size() - 1);
    long lastSize = Files.size(active);
    for (int cut = lastStart; cut < lastSize; cut++) {
      Path dir = root.resolve("cut-" + cut);
      copyDir(pristine, dir);
      try (FileChannel ch = FileChannel.open(dir.resolve(active.getFileName()), StandardOpenOption.WRITE)) {
        ch.truncate(cut);
      }
      assertHoldsPrefixAndAcceptsAppends(dir, written, 38);
    }
  }

  @Test
  void aFlippedByteInAnEarlierBatchCutsTheLogThere() throws IOException {
    Path pristine = root.resolve("pristine");
    List<Entry> written = writePristine(pristine);
    Path active = logFiles(pristine).get(logFiles(pristine).size() - 1);
    List<Integer> positions = batchPositions(active);
    int victim = positions.get(1);
    long victimOffset = firstOffsetAt(active, victim);
    int victimSize = positions.get(2) - victim;
    // Every byte but the leader epoch (bytes 12-15), which the v2 format leaves outside the CRC.
    for (int i = 0; i < victimSize; i++) {
      if (i >= 12 && i < 16) {
        continue;
      }
      Path dir = root.resolve("flip-" + i);
      copyDir(pristine, dir);
      flip(dir.resolve(active.getFileName()), victim + i);
      assertHoldsPrefixAndAcceptsAppends(dir, written, victimOffset);
    }
  }

  private static void flip(Path file, long position) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      ch.read(one, position);
      one.flip();
      one.put(0, (byte) (one.get(0) ^ 0x5a));
      ch.write(one, position);
    }
  }

  @Test
  void withoutARecoveryPointEverySegmentIsRevalidatedAndLaterSegmentsDropped() throws IOException {
    Path dir = root.resolve("log");
    List<Entry> written = writePristine(dir);
    Path second = logFiles(dir).get(1);
    int victim = batchPositions(second).get(2);
    long victimOffset = firstOffsetAt(second, victim);
    flip(second, victim + 40);
    Files.delete(dir.resolve(LogCheckpoints.RECOVERY_POINT_FILE));
    assertHoldsPrefixAndAcceptsAppends(dir, written, victimOffset);
    assertEquals(2, logFiles(dir).size(), "segments after the cut are deleted");
  }

  @Test
  void aCorruptBatchBelowTheRecoveryPointIsNeverServed() throws IOException {
    Path dir = root.resolve("log");
    writePristine(dir);
    Path first = logFiles(dir).get(0);
    flip(first, batchPositions(first).get(1) + 50);
    try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
      assertEquals(0, log.read(0, 1, Long.MAX_VALUE).records().batches().iterator().next().baseOffset());
      assertThrows(CorruptRecordException.class, () -> log.read(2, 1, Long.MAX_VALUE));
    }
  }

  @Test
  void missingOrGarbledIndexesAreRebuilt() throws IOException {
    Path pristine = root.resolve("pristine");
    List<Entry> written = writePristine(pristine);
    Optional<org.apache.kafka.common.record.internal.FileRecords.TimestampAndOffset> expectedTs;
    try (PartitionLog log = PartitionLog.open(pristine, config, clock)) {
      expectedTs = log.offsetForTimestamp(113);
    }
    assertEquals(26, expectedTs.orElseThrow().offset);
    List<java.util.function.Consumer<Path>> damages = List.of(
        file -> delete(file),
        file -> write(file, new byte[] {1, 2, 3}),
        file -> write(file, new byte[0]),
        file -> shiftEntries(file));
    int n = 0;
    for (var damage : damages) {
      for (boolean clean : new boolean[] {true, false}) {
        Path dir = root.resolve("damage-" + n++);
        copyDir(pristine, dir);
        try (Stream<Path> files = Files.list(dir)) {
          files.filter(f -> f.toString().endsWith(".index") || f.toString().endsWith(".timeindex")).forEach(damage);
        }
        if (!clean) {
          Files.delete(dir.resolve(LogCheckpoints.CLEAN_SHUTDOWN_FILE));
        }
        try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
          assertEquals(written, readAll(log), dir.toString());
          for (Entry e : written) {
            assertEquals(e.offset() - e.offset() % 2,
                log.read(e.offset(), 1, Long.MAX_VALUE).records().batches().iterator().next().baseOffset());
          }
          assertEquals(expectedTs, log.offsetForTimestamp(113));
        }
      }
    }
  }

  private static void delete(Path file) {
    try {
      Files.delete(file);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void write(Path file, byte[] bytes) {
    try {
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Plausible but wrong: every offset-index position moved by one byte, still increasing. */
  private static void shiftEntries(Path file) {
    try {
      if (file.toString().endsWith(".index")) {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file));
        for (int i = 0; i + 8 <= buf.limit(); i += 8) {
          buf.putInt(i + 4, buf.getInt(i + 4) + 1);
        }
        Files.write(file, buf.array());
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aLostSuffixHoldingTheLogStartRestartsTheLogThere() throws IOException {
    Path dir = root.resolve("log");
    writePristine(dir);
    try (PartitionLog log = PartitionLog.open(dir, config, clock)) {
      log.deleteRecordsBefore(40);
    }
    // Simulate losing every segment file.
    for (Path f : logFiles(dir)) {
      Files.delete(f);
    }
    try (PartitionLog log = openUnclean(dir)) {
      assertEquals(40, log.logStartOffset());
      assertEquals(40, log.logEndOffset());
      assertEquals(40, log.appendAsLeader(batch(0, "x"), 0).firstOffset());
    }
  }
}
