package io.vltava.log;

import static io.vltava.log.LogTestSupport.batch;
import static io.vltava.log.LogTestSupport.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.Random;
import java.util.stream.Stream;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random operations checked against a model: the list of batches (offsets, values, size) between
 * the log start and end offsets. Fixed seeds, so a failure replays.
 */
class PartitionLogModelTest {
  private static final int OPERATIONS = 600;
  @TempDir Path root;

  /** A batch as the model knows it. */
  record ModelBatch(long baseOffset, List<String> values, int sizeBytes) {
    long lastOffset() {
      return baseOffset + values.size() - 1;
    }
  }

  private final List<ModelBatch> model = new ArrayList<>();
  private long logStartOffset;
  private long logEndOffset;

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6})
  void randomOperationsMatchTheModel(long seed) throws IOException {
    Random random = new Random(seed);
    ManualClock clock = new ManualClock(1_000_000);
    LogConfig config = LogTestSupport.with(LogTestSupport.config(700 + random.nextInt(1500), 1 + random.nextInt(300)),
        50_000, -1, -1);
    Path dir = root.resolve("log-" + seed);
    PartitionLog log = PartitionLog.open(dir, config, clock);
    for (int op = 0; op < OPERATIONS; op++) {
      int choice = random.nextInt(100);
      String step = "seed " + seed + " op " + op + " choice " + choice;
      if (choice < 45) {
        append(log, random, clock);
      } else if (choice < 65) {
        checkRead(log, random, step);
      } else if (choice < 70) {
        clock.advance(60_000); // older than segment.ms: the next maintenance or append rolls
        log.runMaintenance();
      } else if (choice < 75) {
        long offset = logStartOffset + (long) (random.nextDouble() * (logEndOffset - logStartOffset + 1));
        log.truncateTo(offset);
        if (offset < logEndOffset) {
          // A batch is never split: the one holding the offset goes whole.
          logEndOffset = model.stream().filter(b -> b.baseOffset() <= offset && offset <= b.lastOffset())
              .mapToLong(ModelBatch::baseOffset).findFirst().orElse(offset);
          model.removeIf(b -> b.lastOffset() >= offset);
          logStartOffset = Math.min(logStartOffset, logEndOffset);
        }
      } else if (choice < 80) {
        long offset = logStartOffset + (long) (random.nextDouble() * (logEndOffset - logStartOffset + 1));
        log.deleteRecordsBefore(offset);
        advanceStart(offset);
      } else if (choice < 84) {
        log.updateConfig(LogTestSupport.with(config, 50_000, -1, 1500 + random.nextInt(3000)));
        log.runMaintenance();
        log.updateConfig(config);
        assertTrue(log.logStartOffset() >= logStartOffset, step);
        advanceStart(log.logStartOffset());
      } else if (choice < 90) {
        log.close();
        log = PartitionLog.open(dir, config, clock);
      } else if (choice < 95) {
        // Crash: abandon the writer; sometimes it left a torn batch at the end of the active segment.
        if (random.nextBoolean()) {
          appendGarbage(dir, random);
        }
        log = PartitionLog.open(dir, config, clock);
      } else {
        log.flush();
      }
      assertEquals(logStartOffset, log.logStartOffset(), step);
      assertEquals(logEndOffset, log.logEndOffset(), step);
      if (op % 25 == 0) {
        assertEquals(modelEntries(), readAll(log), step);
      }
    }
    assertEquals(modelEntries(), readAll(log));
    log.close();
  }

  private void append(PartitionLog log, Random random, ManualClock clock) throws IOException {
    int count = 1 + random.nextInt(4);
    List<String> values = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      values.add("v" + logEndOffset + "-" + i + "x".repeat(random.nextInt(120)));
    }
    MemoryRecords records = batch(clock.millis(), values.toArray(String[]::new));
    LogAppendInfo info = log.appendAsLeader(records, 0);
    assertEquals(logEndOffset, info.firstOffset());
    model.add(new ModelBatch(logEndOffset, values, records.sizeInBytes()));
    logEndOffset += count;
    clock.advance(random.nextInt(1000));
  }

  private void checkRead(PartitionLog log, Random random, String step) throws IOException {
    if (random.nextInt(10) == 0) {
      long below = logStartOffset - 1 - random.nextInt(3);
      if (below >= 0) {
        assertThrows(OffsetOutOfRangeException.class, () -> log.read(below, 1000, Long.MAX_VALUE), step);
      }
      assertThrows(OffsetOutOfRangeException.class, () -> log.read(logEndOffset + 1, 1000, Long.MAX_VALUE), step);
      return;
    }
    long fetchOffset = logStartOffset + (long) (random.nextDouble() * (logEndOffset - logStartOffset + 1));
    long bound = fetchOffset + (long) (random.nextDouble() * (logEndOffset - fetchOffset + 2));
    int maxBytes = 1 + random.nextInt(1200);
    List<ModelBatch> expected = new ArrayList<>();
    int total = 0;
    for (ModelBatch b : model) {
      if (b.lastOffset() < fetchOffset || fetchOffset >= Math.min(bound, logEndOffset)) {
        continue;
      }
      if (b.lastOffset() >= bound || (!expected.isEmpty() && total + b.sizeBytes() > maxBytes)) {
        break;
      }
      expected.add(b);
      total += b.sizeBytes();
    }
    FetchedRecords fetched = log.read(fetchOffset, maxBytes, bound);
    List<ModelBatch> got = new ArrayList<>();
    for (RecordBatch b : fetched.records().batches()) {
      List<String> values = new ArrayList<>();
      b.forEach(r -> values.add(java.nio.charset.StandardCharsets.UTF_8.decode(r.value()).toString()));
      got.add(new ModelBatch(b.baseOffset(), values, b.sizeInBytes()));
    }
    // A read stops at the end of a segment (like Kafka's), which the model does not track: the
    // answer is a non-empty prefix of the expected batches, or empty when none is expected.
    String what = step + " read(" + fetchOffset + ", " + maxBytes + ", " + bound + ")";
    assertEquals(expected.isEmpty(), got.isEmpty(), what);
    assertEquals(expected.subList(0, Math.min(got.size(), expected.size())), got, what);
    assertEquals(logStartOffset, fetched.logStartOffset());
    assertEquals(logEndOffset, fetched.logEndOffset());
  }

  private void advanceStart(long offset) {
    if (offset > logStartOffset) {
      logStartOffset = offset;
    }
    model.removeIf(b -> b.lastOffset() < logStartOffset);
  }

  private List<Entry> modelEntries() {
    List<Entry> entries = new ArrayList<>();
    for (ModelBatch b : model) {
      for (int i = 0; i < b.values().size(); i++) {
        if (b.baseOffset() + i >= logStartOffset) {
          entries.add(new Entry(b.baseOffset() + i, b.values().get(i)));
        }
      }
    }
    return entries;
  }

  private static void appendGarbage(Path dir, Random random) throws IOException {
    Path active;
    try (Stream<Path> files = Files.list(dir)) {
      active = files.filter(LogSegment::isLogFile).sorted().reduce((a, b) -> b).orElseThrow();
    }
    byte[] garbage = new byte[1 + random.nextInt(80)];
    random.nextBytes(garbage);
    try (FileChannel ch = FileChannel.open(active, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ch.write(ByteBuffer.wrap(garbage));
    }
  }
}
