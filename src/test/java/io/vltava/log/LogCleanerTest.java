package io.vltava.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.log.LogTestSupport.ManualClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cleaner on real segment files: what it keeps, where it stops, and crashes during its swap. */
class LogCleanerTest {
  private static final long DELETE_RETENTION_MS = 60_000;
  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(1_000_000);
  private final List<PartitionLog> opened = new ArrayList<>();

  @AfterEach
  void closeLogs() throws IOException {
    for (PartitionLog log : opened) {
      try {
        log.close();
      } catch (IllegalStateException | IOException alreadyGone) {
        // a test crashed it on purpose
      }
    }
  }

  private static LogConfig compacted(int segmentBytes) {
    return LogTestSupport.config(segmentBytes, 64).withCleanup(
        new CleanupConfig(true, false, DELETE_RETENTION_MS, 0.5, 0, Long.MAX_VALUE));
  }

  private PartitionLog open(Path at, LogConfig config) throws IOException {
    PartitionLog log = PartitionLog.open(at, config, clock);
    opened.add(log);
    return log;
  }

  /** One batch of keyed records: "k=v" pairs, "k=" for a tombstone. */
  private static MemoryRecords keyed(String... pairs) {
    return MemoryRecords.withRecords(Compression.NONE, simple(pairs));
  }

  private static SimpleRecord[] simple(String... pairs) {
    SimpleRecord[] records = new SimpleRecord[pairs.length];
    for (int i = 0; i < pairs.length; i++) {
      String[] kv = pairs[i].split("=", -1);
      records[i] = new SimpleRecord(1000L, kv[0].getBytes(StandardCharsets.UTF_8),
          kv[1].isEmpty() ? null : kv[1].getBytes(StandardCharsets.UTF_8));
    }
    return records;
  }

  /** A record read back: offset, key and value (null for a tombstone). */
  record Kept(long offset, String key, String value) {}

  private static List<Kept> readAll(PartitionLog log) throws IOException {
    List<Kept> out = new ArrayList<>();
    long offset = log.logStartOffset();
    while (offset < log.logEndOffset()) {
      MemoryRecords records = (MemoryRecords) log.read(offset, 500, Long.MAX_VALUE).records();
      long next = offset;
      for (RecordBatch batch : records.batches()) {
        batch.ensureValid();
        for (Record record : batch) {
          if (record.offset() >= offset) {
            out.add(new Kept(record.offset(), string(record.key()), record.hasValue() ? string(record.value()) : null));
          }
        }
        next = batch.lastOffset() + 1;
      }
      if (next == offset) {
        throw new AssertionError("no progress reading at " + offset);
      }
      offset = next;
    }
    return out;
  }

  private static String string(ByteBuffer buffer) {
    return StandardCharsets.UTF_8.decode(buffer).toString();
  }

  private static final Consumer<LocalLog.SwapStep> NO_CRASH = step -> { };

  private Cleaner cleaner(Consumer<LocalLog.SwapStep> observer) {
    return new Cleaner(1 << 20, 0.9, 4096, IoThrottle.of(Double.MAX_VALUE), observer);
  }

  /** Cleans everything cleanable (all below the active segment), as the background cleaner would. */
  private Cleaner.Result clean(PartitionLog log, Consumer<LocalLog.SwapStep> observer) throws Exception {
    PartitionLog.CleanerView view = log.cleanerView();
    LogToClean toClean = LogToClean.of(view.segmentInfos(), view.logStartOffset(), view.cleanedUpToOffset(),
        log.logEndOffset(), view.config().cleanup(), clock.millis(), Long.MAX_VALUE);
    return cleaner(observer).clean(log, toClean, clock.millis());
  }

  private static long activeBase(PartitionLog log) {
    List<SegmentInfo> segments = log.cleanerView().segmentInfos();
    return segments.get(segments.size() - 1).baseOffset();
  }

  /** Writes random keyed updates and tombstones; returns every record by offset. */
  private static TreeMap<Long, Kept> writeRandom(PartitionLog log, long seed, int batches) throws IOException {
    Random random = new Random(seed);
    TreeMap<Long, Kept> written = new TreeMap<>();
    for (int b = 0; b < batches; b++) {
      int n = 1 + random.nextInt(4);
      String[] pairs = new String[n];
      for (int i = 0; i < n; i++) {
        pairs[i] = "k" + random.nextInt(20) + "=" + (random.nextInt(8) == 0 ? "" : "v" + b + "." + i);
      }
      long first = log.appendAsLeader(keyed(pairs), 0).firstOffset();
      for (int i = 0; i < n; i++) {
        String[] kv = pairs[i].split("=", -1);
        written.put(first + i, new Kept(first + i, kv[0], kv[1].isEmpty() ? null : kv[1]));
      }
    }
    return written;
  }

  /**
   * The model: of the records below {@code cleanedUpTo}, the last of each key among all records
   * (so a key written again above keeps nothing below), with tombstones kept; above, everything.
   */
  private static List<Kept> lastPerKey(TreeMap<Long, Kept> written, long cleanedUpTo) {
    Map<String, Long> latest = new LinkedHashMap<>();
    written.values().stream().filter(k -> k.offset() < cleanedUpTo).forEach(k -> latest.put(k.key(), k.offset()));
    return written.values().stream()
        .filter(k -> k.offset() >= cleanedUpTo || latest.get(k.key()) == k.offset())
        .toList();
  }

  @Test
  void keepsTheLastRecordOfEachKeyWithItsOffset() throws Exception {
    PartitionLog log = open(dir, compacted(600));
    TreeMap<Long, Kept> written = writeRandom(log, 7, 120);
    long activeBase = activeBase(log);
    byte[] activeBefore = Files.readAllBytes(dir.resolve(LogSegment.fileName(activeBase, LogSegment.LOG_SUFFIX)));

    Cleaner.Result result = clean(log, NO_CRASH);

    assertEquals(activeBase, result.cleanedUpToOffset());
    List<Kept> expected = lastPerKey(written, activeBase);
    assertTrue(expected.size() < written.size() / 2, "the data set has superseded records to drop");
    assertEquals(expected, readAll(log));
    assertArrayEquals(activeBefore, Files.readAllBytes(dir.resolve(LogSegment.fileName(activeBase, LogSegment.LOG_SUFFIX))),
        "the active segment is untouched");
    assertEquals(written.lastKey() + 1, log.logEndOffset());

    // The cleaned log reloads, after a clean and after an unclean shutdown, with the same records.
    log.close();
    PartitionLog reopened = open(dir, compacted(600));
    assertEquals(expected, readAll(reopened));
    assertEquals(activeBase, reopened.cleanerView().cleanedUpToOffset());
  }

  @Test
  void aSecondCleaningDropsWhatNewerWritesSupersede() throws Exception {
    PartitionLog log = open(dir, compacted(400));
    TreeMap<Long, Kept> written = writeRandom(log, 11, 60);
    clean(log, NO_CRASH);
    written.putAll(writeRandom(log, 12, 60).entrySet().stream()
        .collect(TreeMap::new, (m, e) -> m.put(e.getKey(), e.getValue()), Map::putAll));
    long activeBase = activeBase(log);
    clean(log, NO_CRASH);
    assertEquals(lastPerKey(written, activeBase), readAll(log));
  }

  @Test
  void tombstonesStayDeleteRetentionMsThenGo() throws Exception {
    PartitionLog log = open(dir, compacted(200));
    log.appendAsLeader(keyed("a=1", "b=1"), 0);
    log.appendAsLeader(keyed("a=", "c=1"), 0);
    for (int i = 0; i < 6; i++) {
      log.appendAsLeader(keyed("x" + i + "=filler-to-roll-segments"), 0);
    }
    Cleaner.Result first = clean(log, NO_CRASH);
    List<Kept> afterFirst = readAll(log);
    assertTrue(afterFirst.contains(new Kept(2, "a", null)), "the tombstone is kept at first: " + afterFirst);
    assertFalse(afterFirst.contains(new Kept(0, "a", "1")), "the value it deletes is gone");
    assertEquals(clock.millis() + DELETE_RETENTION_MS, first.tombstoneHorizonMs());

    clock.advance(DELETE_RETENTION_MS - 1);
    clean(log, NO_CRASH);
    assertTrue(readAll(log).contains(new Kept(2, "a", null)), "still within delete.retention.ms");

    clock.advance(1);
    Cleaner.Result last = clean(log, NO_CRASH);
    // The batch that held it keeps its delete horizon, but nothing in it is due any more.
    assertEquals(Long.MAX_VALUE, last.tombstoneHorizonMs(), "no tombstone left to drop");
    List<Kept> afterRetention = readAll(log);
    assertFalse(afterRetention.stream().anyMatch(k -> k.key().equals("a")), "the tombstone is gone: " + afterRetention);
    assertTrue(afterRetention.contains(new Kept(1, "b", "1")));
    assertTrue(afterRetention.contains(new Kept(3, "c", "1")));
  }

  @Test
  void theBatchBelowTheActiveSegmentStaysSoTheLogEndIsReachable() throws Exception {
    LogConfig rollsAfterASecond = LogTestSupport.with(compacted(200), 1000, -1, -1).withCleanup(compacted(200).cleanup());
    PartitionLog log = open(dir, rollsAfterASecond);
    for (int i = 0; i < 6; i++) {
      log.appendAsLeader(keyed("x" + i + "=filler-to-roll-segments"), 0);
    }
    log.appendAsLeader(keyed("gone="), 0);
    clock.advance(1001);
    log.runMaintenance(); // rolls: the tombstone is the last batch below the (empty) active segment
    long activeBase = activeBase(log);
    assertEquals(log.logEndOffset(), activeBase);
    clean(log, NO_CRASH);
    clock.advance(DELETE_RETENTION_MS);
    clean(log, NO_CRASH);
    assertFalse(readAll(log).stream().anyMatch(k -> k.key().equals("gone")), "the tombstone went");
    // A follower at the offset after the last kept record still reaches the active segment's base.
    MemoryRecords tail = (MemoryRecords) log.read(activeBase - 1, 1000, Long.MAX_VALUE).records();
    long end = -1;
    for (RecordBatch batch : tail.batches()) {
      end = batch.lastOffset() + 1;
    }
    assertEquals(activeBase, end, "an (empty) batch ends right below the active segment");
  }

  @Test
  void aCompactedLogRefusesRecordsWithoutKeys() throws Exception {
    PartitionLog log = open(dir, compacted(1000));
    assertThrows(InvalidRecordException.class, () -> log.appendAsLeader(LogTestSupport.batch(1000, "no key"), 0));
    assertEquals(0, log.logEndOffset(), "nothing was written");
  }

  @Test
  void anIdempotentProducersSequenceSurvivesCompactionAndReload() throws Exception {
    PartitionLog log = open(dir, compacted(200));
    long pid = 77;
    log.appendAsLeader(MemoryRecords.withIdempotentRecords(Compression.NONE, pid, (short) 0, 0, simple("k=1", "k=2")), 0);
    log.appendAsLeader(MemoryRecords.withIdempotentRecords(Compression.NONE, pid, (short) 0, 2, simple("k=3")), 0);
    for (int i = 0; i < 6; i++) {
      log.appendAsLeader(keyed("k=later" + i), 0); // supersedes every record of the producer
    }
    clean(log, NO_CRASH);
    assertFalse(readAll(log).stream().anyMatch(k -> k.offset() < 3), "the producer's records are compacted away");

    // Unclean reload: producer state is rebuilt from the batch headers, including the kept empty batch.
    PartitionLog reopened = open(dir, compacted(200));
    LogAppendInfo resend = reopened.appendAsLeader(
        MemoryRecords.withIdempotentRecords(Compression.NONE, pid, (short) 0, 2, simple("k=3")), 0);
    assertTrue(resend.duplicate(), "the last batch is still known: a resend is a duplicate");
    assertEquals(2, resend.firstOffset());
    LogAppendInfo next = reopened.appendAsLeader(
        MemoryRecords.withIdempotentRecords(Compression.NONE, pid, (short) 0, 3, simple("k=4")), 0);
    assertFalse(next.duplicate());
    assertEquals(List.of(new ActiveProducer(pid, (short) 0, 3, 1000L)), reopened.activeProducers());
  }

  @Test
  void aFollowerCopyingACompactedLeaderGetsTheSameRecordsAndOffsets() throws Exception {
    PartitionLog leader = open(dir.resolve("leader"), compacted(300));
    TreeMap<Long, Kept> written = writeRandom(leader, 3, 80);
    clean(leader, NO_CRASH);
    PartitionLog follower = open(dir.resolve("follower"), compacted(300));
    while (follower.logEndOffset() < leader.logEndOffset()) {
      follower.appendAsFollower((MemoryRecords) leader.read(follower.logEndOffset(), 700, Long.MAX_VALUE).records());
    }
    assertEquals(readAll(leader), readAll(follower));
    assertEquals(leader.logEndOffset(), follower.logEndOffset());

    // Compacting its own copy, the follower converges with the leader.
    clean(follower, NO_CRASH);
    clean(leader, NO_CRASH);
    assertEquals(readAll(leader), readAll(follower));
    assertTrue(readAll(follower).size() < written.size());
  }

  /**
   * A crash after every step of the swap, one at a time: the reopened log is valid and reads, for
   * each group of segments, what it held before the cleaning or the cleaned result: never less than
   * the cleaned result, never a record the log did not hold, offsets unchanged.
   */
  @Test
  void aCrashAtAnyStepOfTheSwapLeavesAValidLog() throws Exception {
    int step = 0;
    while (true) {
      Path at = dir.resolve("crash-" + step);
      PartitionLog log = open(at, compacted(400));
      TreeMap<Long, Kept> written = writeRandom(log, 5, 24);
      long activeBase = activeBase(log);
      List<Kept> before = readAll(log);
      List<Kept> after = lastPerKey(written, activeBase);
      int crashAt = step;
      AtomicInteger steps = new AtomicInteger();
      boolean crashed = false;
      try {
        clean(log, s -> {
          if (steps.getAndIncrement() == crashAt) {
            throw new SimulatedCrash();
          }
        });
      } catch (SimulatedCrash e) {
        crashed = true;
      }
      // Never closed: no clean-shutdown marker, as after a kill.
      PartitionLog reopened = open(at, compacted(400));
      List<Kept> recovered = readAll(reopened);
      // Each group of segments is swapped on its own: a crash between groups leaves some cleaned.
      assertTrue(before.containsAll(recovered) && recovered.containsAll(after),
          "crash after step " + step + ": the log reads " + recovered);
      try (Stream<Path> files = Files.list(at)) {
        assertTrue(files.noneMatch(f -> f.toString().endsWith(".swap") || f.toString().endsWith(".cleaned")
            || f.toString().endsWith(".deleted")),
            "no swap or cleaned file survives a reload");
      }
      // And the cleaning completes from there.
      clean(reopened, NO_CRASH);
      assertEquals(after, readAll(reopened));
      if (!crashed) {
        assertTrue(step > 3, "the cleaning had several swap steps to crash at");
        return;
      }
      step++;
    }
  }

  @Test
  void crashStatesBuiltByHandLoadAsBeforeOrAfter() throws Exception {
    // A cleaned file that was never committed is discarded.
    PartitionLog log = open(dir, compacted(400));
    writeRandom(log, 9, 40);
    List<Kept> before = readAll(log);
    log.close();
    Path cleaned = dir.resolve(LogSegment.fileName(0, LogSegment.LOG_SUFFIX) + LogSegment.CLEANED_SUFFIX);
    Files.write(cleaned, new byte[] {1, 2, 3});
    PartitionLog reopened = open(dir, compacted(400));
    assertEquals(before, readAll(reopened));
    assertFalse(Files.exists(cleaned));
  }

  @Test
  void theBackgroundCleanerPicksTheDirtiestCompactedLog() throws Exception {
    PartitionLog compactedLog = open(dir.resolve("compacted"), compacted(300));
    TreeMap<Long, Kept> written = writeRandom(compactedLog, 21, 60);
    PartitionLog deleteLog = open(dir.resolve("delete"), LogTestSupport.config(300, 64));
    writeRandom(deleteLog, 22, 60);
    List<Kept> deleteBefore = readAll(deleteLog);
    CleanerConfig config = new CleanerConfig(true, 1, 1 << 20, 0.9, 4096, Double.MAX_VALUE, 10);
    LogCleaner logCleaner = new LogCleaner(config, () -> List.of(
        new LogCleaner.Candidate("compacted", compactedLog, compactedLog.logEndOffset()),
        new LogCleaner.Candidate("delete", deleteLog, deleteLog.logEndOffset())), clock);
    Cleaner cleaner = cleaner(NO_CRASH);
    assertTrue(logCleaner.cleanFilthiest(cleaner));
    assertFalse(logCleaner.cleanFilthiest(cleaner), "nothing is dirty any more");
    assertEquals(lastPerKey(written, activeBase(compactedLog)), readAll(compactedLog));
    assertEquals(deleteBefore, readAll(deleteLog), "a delete-policy log is left alone");
  }

  private static final class SimulatedCrash extends RuntimeException {}
}
