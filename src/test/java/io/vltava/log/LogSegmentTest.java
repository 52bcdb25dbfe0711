package io.vltava.log;

import static io.vltava.log.LogTestSupport.entries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.log.LogTestSupport.Entry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One segment on real files: reads, recovery and corruption come back as sizes, offsets and typed errors. */
class LogSegmentTest {
  private static final int INDEX_INTERVAL_BYTES = 1;
  private static final int MAX_INDEX_BYTES = 1024 * 1024;
  @TempDir Path dir;

  /** A batch with its offsets assigned from {@code baseOffset}, one record per value, timestamp 100 + offset. */
  private static MemoryRecords at(long baseOffset, String... values) {
    SimpleRecord[] records = new SimpleRecord[values.length];
    for (int i = 0; i < values.length; i++) {
      records[i] = new SimpleRecord(100 + baseOffset + i, values[i].getBytes(StandardCharsets.UTF_8));
    }
    return MemoryRecords.withRecords(baseOffset, Compression.NONE, records);
  }

  /** Segment 10 with batches [10, 11], [12], [13, 14, 15]; returns the batches' file positions. */
  private List<Integer> writeThreeBatches(LogSegment segment) throws IOException {
    List<Integer> positions = new ArrayList<>();
    for (MemoryRecords batch : List.of(at(10, "a", "b"), at(12, "c"), at(13, "d", "e", "f"))) {
      positions.add(segment.sizeBytes());
      segment.append(batch, INDEX_INTERVAL_BYTES, 0);
    }
    return positions;
  }

  @Test
  void readsWholeBatchesFromTheOneHoldingTheOffset() throws IOException {
    LogSegment segment = LogSegment.create(dir, 10, MAX_INDEX_BYTES, 0);
    List<Integer> positions = writeThreeBatches(segment);
    CRC32C crc = new CRC32C();

    assertEquals(16, segment.nextOffset());
    assertEquals(positions.get(2), segment.positionOf(14, segment.sizeBytes()));
    assertEquals(segment.sizeBytes(), segment.positionOf(16, segment.sizeBytes()), "no batch holds 16");
    assertEquals(List.of(new Entry(10, "a"), new Entry(11, "b"), new Entry(12, "c")),
        entries(segment.read(11, positions.get(2), Long.MAX_VALUE, crc).orElseThrow()));
    assertEquals(List.of(new Entry(10, "a"), new Entry(11, "b")),
        entries(segment.read(10, 1, Long.MAX_VALUE, crc).orElseThrow()), "at least one batch, whatever maxBytes");
    assertEquals(0, segment.read(13, Integer.MAX_VALUE, 15, crc).orElseThrow().sizeInBytes(),
        "a batch straddling the bound waits");
    assertTrue(segment.read(16, Integer.MAX_VALUE, Long.MAX_VALUE, crc).isEmpty(), "nothing here: the next segment");
    segment.close();
  }

  /** A clean close of an idle log must not fsync its segments again: flush has work only after a write or a rebuild. */
  @Test
  void onlyWritesOrRebuiltIndexesLeaveASegmentToFlush() throws IOException {
    LogSegment created = LogSegment.create(dir, 10, MAX_INDEX_BYTES, 0);
    assertTrue(created.hasUnflushedWrites(), "a new segment's files are not durable yet");
    writeThreeBatches(created);
    created.flush();
    assertFalse(created.hasUnflushedWrites());
    created.close();

    LogSegment loaded = LogSegment.open(dir, 10, MAX_INDEX_BYTES, 0);
    assertEquals(0, loaded.loadTrusted(INDEX_INTERVAL_BYTES, false));
    assertFalse(loaded.hasUnflushedWrites(), "loaded as flushed: closing it has nothing to fsync");
    loaded.append(at(16, "g"), INDEX_INTERVAL_BYTES, 0);
    assertTrue(loaded.hasUnflushedWrites(), "appended");
    loaded.flush();
    assertFalse(loaded.hasUnflushedWrites());
    loaded.truncateTo(13, INDEX_INTERVAL_BYTES);
    assertTrue(loaded.hasUnflushedWrites(), "truncated, indexes rebuilt");
    loaded.flush();
    loaded.close();

    Files.delete(dir.resolve(LogSegment.fileName(10, LogSegment.INDEX_SUFFIX)));
    LogSegment indexLost = LogSegment.open(dir, 10, MAX_INDEX_BYTES, 0);
    assertEquals(0, indexLost.loadTrusted(INDEX_INTERVAL_BYTES, false));
    assertTrue(indexLost.hasUnflushedWrites(), "the rebuilt index must reach the disk");
    indexLost.close();
  }

  @Test
  void recoveryCutsAtTheFirstDamagedBatchAndReportsTheBytesCut() throws IOException {
    LogSegment written = LogSegment.create(dir, 10, MAX_INDEX_BYTES, 0);
    List<Integer> positions = writeThreeBatches(written);
    int sizeBytes = written.sizeBytes();
    written.close();
    flip(dir.resolve(LogSegment.fileName(10, LogSegment.LOG_SUFFIX)), positions.get(1) + 40);

    LogSegment reopened = LogSegment.open(dir, 10, MAX_INDEX_BYTES, 0);
    assertEquals(sizeBytes - positions.get(1), reopened.recover(INDEX_INTERVAL_BYTES, false));
    assertEquals(positions.get(1), reopened.sizeBytes());
    assertEquals((long) positions.get(1), Files.size(dir.resolve(LogSegment.fileName(10, LogSegment.LOG_SUFFIX))));
    assertEquals(12, reopened.nextOffset());
    assertEquals(0, reopened.recover(INDEX_INTERVAL_BYTES, false), "what is left is intact");
    reopened.close();
  }

  @Test
  void aDamagedBatchIsReportedWithItsFileAndPosition() throws IOException {
    LogSegment written = LogSegment.create(dir, 10, MAX_INDEX_BYTES, 0);
    List<Integer> positions = writeThreeBatches(written);
    written.close();
    Path file = dir.resolve(LogSegment.fileName(10, LogSegment.LOG_SUFFIX));
    flip(file, positions.get(1) + 40);

    LogSegment reopened = LogSegment.open(dir, 10, MAX_INDEX_BYTES, 0);
    CorruptSegmentException e = assertThrows(CorruptSegmentException.class,
        () -> reopened.read(12, Integer.MAX_VALUE, Long.MAX_VALUE, new CRC32C()));
    assertEquals(file, e.file());
    assertEquals((long) positions.get(1), e.position());
    reopened.close();
  }

  @Test
  void batchesIterateTheFileInOrder() throws IOException {
    LogSegment segment = LogSegment.create(dir, 10, MAX_INDEX_BYTES, 0);
    List<Integer> positions = writeThreeBatches(segment);
    List<Long> baseOffsets = new ArrayList<>();
    List<Integer> batchPositions = new ArrayList<>();
    for (var batch : segment.batches()) {
      batch.ensureValid();
      assertEquals(RecordBatch.MAGIC_VALUE_V2, batch.magic());
      baseOffsets.add(batch.baseOffset());
      batchPositions.add(batch.position());
    }
    assertEquals(List.of(10L, 12L, 13L), baseOffsets);
    assertEquals(positions, batchPositions);
    segment.close();
  }

  @Test
  void createRefusesAFileLeftAtItsOffset() throws IOException {
    LogSegment.create(dir, 10, MAX_INDEX_BYTES, 0).close();
    assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> LogSegment.create(dir, 10, MAX_INDEX_BYTES, 0));
  }

  private static void flip(Path file, long position) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      ch.read(one, position);
      one.put(0, (byte) (one.get(0) ^ 0x5a));
      one.rewind();
      ch.write(one, position);
    }
  }
}
