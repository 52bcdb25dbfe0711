package io.vltava.log;

import static io.vltava.log.LogTestSupport.batch;
import static io.vltava.log.LogTestSupport.config;
import static io.vltava.log.LogTestSupport.entries;
import static io.vltava.log.LogTestSupport.readAll;
import static io.vltava.log.LogTestSupport.with;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.log.LogTestSupport.Entry;
import io.vltava.log.LogTestSupport.ManualClock;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.FileRecords.TimestampAndOffset;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogTest {
  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(1_000_000);
  private PartitionLog log;

  private PartitionLog open(LogConfig config) throws Exception {
    log = PartitionLog.open(dir, config, clock);
    return log;
  }

  @AfterEach
  void closeLog() throws Exception {
    if (log != null) {
      log.close();
    }
  }

  private static MemoryRecords copy(MemoryRecords records) {
    ByteBuffer buf = ByteBuffer.allocate(records.sizeInBytes());
    buf.put(records.buffer()).flip();
    return MemoryRecords.readableRecords(buf);
  }

  private long segmentCount() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(LogSegment::isLogFile).count();
    }
  }

  @Test
  void batchesInABufferNotStartingAtPositionZeroAreAppendedWithoutWhatPrecedesThem() throws Exception {
    open(config(1 << 20, 100));
    for (int i = 0; i < 2; i++) {
      MemoryRecords records = batch(1, "x" + i, "y" + i);
      ByteBuffer shifted = ByteBuffer.allocate(7 + records.sizeInBytes());
      shifted.position(7);
      shifted.put(records.buffer()).position(7);
      LogAppendInfo info = i == 0
          ? log.appendAsLeader(MemoryRecords.readableRecords(shifted), 0)
          : log.appendAsFollower(MemoryRecords.readableRecords(withOffsets(shifted, 2)));
      assertEquals(2L * i, info.firstOffset());
    }
    assertEquals(List.of(new Entry(0, "x0"), new Entry(1, "y0"), new Entry(2, "x1"), new Entry(3, "y1")), readAll(log));
    assertEquals(2 * batch(1, "x0", "y0").sizeInBytes(), log.sizeBytes());
  }

  /** Sets the base offset of the batch at the buffer's position, as a leader would have. */
  private static ByteBuffer withOffsets(ByteBuffer batch, long baseOffset) {
    batch.putLong(batch.position(), baseOffset);
    return batch;
  }

  @Test
  void theCheckpointedHighWatermarkIsReadBackWithinTheLogsOffsets() throws Exception {
    open(config(1 << 20, 100));
    assertEquals(0, log.checkpointedHighWatermark(), "none written yet");
    log.appendAsLeader(batch(1, "a", "b"), 0);
    log.appendAsLeader(batch(1, "c", "d", "e"), 0);
    log.checkpointHighWatermark(3);
    log.close();
    open(config(1 << 20, 100));
    assertEquals(3, log.checkpointedHighWatermark());

    log.checkpointHighWatermark(5);
    log.truncateTo(2);
    log.close();
    open(config(1 << 20, 100));
    assertEquals(2, log.checkpointedHighWatermark(), "never above the log end");
  }

  @Test
  void noCheckpointIsWrittenOnceTheLogIsClosed() throws Exception {
    open(config(1 << 20, 100));
    log.appendAsLeader(batch(1, "a", "b", "c"), 0);
    log.checkpointHighWatermark(2);
    log.close();
    // The node's checkpoint round may still hold this log: a late write changes nothing.
    log.checkpointHighWatermark(3);
    assertEquals(2, log.highWatermarkOnDisk());
    open(config(1 << 20, 100));
    assertEquals(2, log.checkpointedHighWatermark());
  }

  @Test
  void appendsAssignOffsetsAndReadsReturnTheBytesWritten() throws Exception {
    open(config(1 << 20, 100));
    LogAppendInfo first = log.appendAsLeader(batch(1, "a", "b", "c"), 0);
    assertEquals(new LogAppendInfo(0, 2, -1, 0, false), first);
    MemoryRecords second = batch(2, "d", "e");
    LogAppendInfo info = log.appendAsLeader(second, 0);
    assertEquals(3, info.firstOffset());
    assertEquals(4, info.lastOffset());
    assertEquals(5, log.logEndOffset());

    FetchedRecords fetched = log.read(3, 1 << 20, Long.MAX_VALUE);
    assertEquals(0, fetched.logStartOffset());
    assertEquals(5, fetched.logEndOffset());
    assertArrayEquals(bytes(second.buffer()), bytes(((MemoryRecords) fetched.records()).buffer()),
        "the batch is stored byte for byte as rewritten by the append");
    RecordBatch stored = ((MemoryRecords) fetched.records()).batches().iterator().next();
    assertEquals(0, stored.partitionLeaderEpoch());
    assertEquals(List.of(new Entry(0, "a"), new Entry(1, "b"), new Entry(2, "c"), new Entry(3, "d"), new Entry(4, "e")),
        readAll(log));
  }

  private static byte[] bytes(ByteBuffer buf) {
    byte[] out = new byte[buf.remaining()];
    buf.duplicate().get(out);
    return out;
  }

  @Test
  void readStartsAtTheBatchHoldingTheOffsetAndReturnsWholeBatches() throws Exception {
    open(config(1 << 20, 1));
    for (int i = 0; i < 10; i++) {
      log.appendAsLeader(batch(i, "x" + i, "y" + i), 0); // batch i holds offsets 2i, 2i+1
    }
    List<Entry> got = entries((MemoryRecords) log.read(5, 1, Long.MAX_VALUE).records());
    assertEquals(List.of(new Entry(4, "x2"), new Entry(5, "y2")), got, "one whole batch even above maxBytes");

    int batchSize = batch(0, "x0", "y0").sizeInBytes();
    got = entries((MemoryRecords) log.read(4, 3 * batchSize, Long.MAX_VALUE).records());
    assertEquals(6, got.size(), "three batches fit exactly");
    got = entries((MemoryRecords) log.read(4, 3 * batchSize - 1, Long.MAX_VALUE).records());
    assertEquals(4, got.size(), "a partial batch is never returned");
  }

  @Test
  void bytesFromCountsTheBatchHoldingTheOffsetAndEverythingAfterItAcrossSegments() throws Exception {
    int batchSize = batch(0, "x0", "y0").sizeInBytes();
    open(config(3 * batchSize, 1)); // three batches per segment
    for (int i = 0; i < 10; i++) {
      log.appendAsLeader(batch(0, "x" + i, "y" + i), 0); // batch i holds offsets 2i, 2i+1
    }
    assertEquals(10L * batchSize, log.sizeBytes());
    assertEquals(log.sizeBytes(), log.bytesFrom(0));
    assertEquals(7L * batchSize, log.bytesFrom(7), "from batch 3, the first of the second segment");
    assertEquals(5L * batchSize, log.bytesFrom(10), "from batch 5, inside the second segment");
    assertEquals((long) batchSize, log.bytesFrom(19), "the last batch");
    assertEquals(0, log.bytesFrom(20), "a replica at the log end has nothing to fetch");
  }

  @Test
  void readNeverReturnsOffsetsAtOrAboveTheBound() throws Exception {
    open(config(1 << 20, 1));
    log.appendAsLeader(batch(0, "a", "b"), 0); // 0-1
    log.appendAsLeader(batch(0, "c", "d"), 0); // 2-3
    log.appendAsLeader(batch(0, "e", "f"), 0); // 4-5
    assertEquals(4, entries((MemoryRecords) log.read(0, 1 << 20, 4).records()).size());
    assertEquals(2, entries((MemoryRecords) log.read(0, 1 << 20, 3).records()).size(),
        "the batch straddling the bound waits: no offset >= the bound is exposed");
    assertEquals(0, log.read(2, 1 << 20, 3).sizeInBytes());
    assertEquals(0, log.read(4, 1 << 20, 4).sizeInBytes(), "fetch offset == bound: empty");
    assertEquals(0, log.read(6, 1 << 20, Long.MAX_VALUE).sizeInBytes(), "fetch offset == log end: empty");
    assertThrows(OffsetOutOfRangeException.class, () -> log.read(7, 100, Long.MAX_VALUE));
    log.deleteRecordsBefore(2);
    assertThrows(OffsetOutOfRangeException.class, () -> log.read(1, 100, Long.MAX_VALUE));
  }

  @Test
  void invalidBatchesAreRejectedAndNothingOfTheRequestIsWritten() throws Exception {
    open(config(1 << 20, 100));
    log.appendAsLeader(batch(0, "ok"), 0);
    MemoryRecords good = batch(0, "good");

    MemoryRecords badCrc = copy(batch(0, "bad"));
    badCrc.buffer().put(badCrc.sizeInBytes() - 1, (byte) 0x7f);
    assertThrows(CorruptRecordException.class, () -> log.appendAsLeader(concat(good, badCrc), 0));

    MemoryRecords truncated = MemoryRecords.readableRecords(batch(0, "cut").buffer().limit(30));
    assertThrows(CorruptRecordException.class, () -> log.appendAsLeader(concat(good, truncated), 0));

    MemoryRecords badSize = copy(batch(0, "size"));
    badSize.buffer().putInt(8, 5);
    assertThrows(CorruptRecordException.class, () -> log.appendAsLeader(badSize, 0));

    MemoryRecords v1 = MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, 0L, Compression.NONE,
        TimestampType.CREATE_TIME, new SimpleRecord(0, "old".getBytes()));
    InvalidRecordException magic = assertThrows(InvalidRecordException.class, () -> log.appendAsLeader(v1, 0));
    assertTrue(magic.getMessage().contains("magic 1"), magic.getMessage());

    assertThrows(InvalidRecordException.class, () -> log.appendAsLeader(MemoryRecords.EMPTY, 0));
    assertEquals(1, log.logEndOffset());
    assertEquals(List.of(new Entry(0, "ok")), readAll(log));
  }

  private static MemoryRecords concat(MemoryRecords a, MemoryRecords b) {
    ByteBuffer buf = ByteBuffer.allocate(a.sizeInBytes() + b.sizeInBytes());
    buf.put(a.buffer()).put(b.buffer()).flip();
    return MemoryRecords.readableRecords(buf);
  }

  @Test
  void batchesAboveMaxMessageBytesAreTooLarge() throws Exception {
    LogConfig c = config(1 << 20, 100);
    open(new LogConfig(c.segmentBytes(), c.segmentMs(), -1, -1, 200, 100, c.segmentIndexBytes(),
        Long.MAX_VALUE, Long.MAX_VALUE, TimestampType.CREATE_TIME));
    log.appendAsLeader(batch(0, "small"), 0);
    RecordTooLargeException e = assertThrows(RecordTooLargeException.class,
        () -> log.appendAsLeader(batch(0, "x".repeat(300)), 0));
    assertTrue(e.getMessage().contains("max.message.bytes 200"), e.getMessage());
    assertEquals(1, log.logEndOffset());
  }

  @Test
  void logAppendTimeStampsTheBatchAndIsReturned() throws Exception {
    LogConfig c = config(1 << 20, 100);
    open(new LogConfig(c.segmentBytes(), c.segmentMs(), -1, -1, c.maxMessageBytes(), 100, c.segmentIndexBytes(),
        Long.MAX_VALUE, Long.MAX_VALUE, TimestampType.LOG_APPEND_TIME));
    LogAppendInfo info = log.appendAsLeader(batch(5, "a", "b"), 3);
    assertEquals(clock.millis(), info.logAppendTimeMs());
    RecordBatch stored = ((MemoryRecords) log.read(0, 1000, 10).records()).batches().iterator().next();
    stored.ensureValid();
    assertEquals(TimestampType.LOG_APPEND_TIME, stored.timestampType());
    assertEquals(clock.millis(), stored.maxTimestamp());
    assertEquals(3, stored.partitionLeaderEpoch());
  }

  @Test
  void leaderEpochsAreRecordedAndOlderEpochsFenced() throws Exception {
    open(config(1 << 20, 100));
    log.appendAsLeader(batch(0, "a"), 1);
    log.appendAsLeader(batch(0, "b"), 1);
    log.appendAsLeader(batch(0, "c", "d"), 4);
    assertEquals(List.of(new LeaderEpochCache.EpochEntry(1, 0), new LeaderEpochCache.EpochEntry(4, 2)),
        log.leaderEpochCache().entries());
    assertEquals(new LeaderEpochCache.EpochEndOffset(1, 2), log.leaderEpochCache().endOffsetFor(1));
    assertEquals(new LeaderEpochCache.EpochEndOffset(4, 4), log.leaderEpochCache().endOffsetFor(4));
    assertThrows(FencedLeaderEpochException.class, () -> log.appendAsLeader(batch(0, "e"), 3));
    log.truncateTo(2);
    assertEquals(List.of(new LeaderEpochCache.EpochEntry(1, 0)), log.leaderEpochCache().entries());
  }

  @Test
  void rollsBySizeAndByAgeAndReadsAcrossSegments() throws Exception {
    int batchSize = batch(0, "v00").sizeInBytes();
    open(with(config(3 * batchSize, 1), 60_000, -1, -1));
    for (int i = 0; i < 7; i++) {
      log.appendAsLeader(batch(clock.millis(), "v0" + i), 0);
    }
    assertEquals(3, segmentCount(), "three batches per segment");
    assertEquals(7, readAll(log).size());
    assertEquals(List.of(new Entry(3, "v03"), new Entry(4, "v04"), new Entry(5, "v05")),
        entries((MemoryRecords) log.read(3, 1 << 20, Long.MAX_VALUE).records()));

    clock.advance(60_001);
    log.runMaintenance();
    assertEquals(4, segmentCount(), "the active segment rolled by segment.ms");
    log.appendAsLeader(batch(clock.millis(), "v07"), 0);
    clock.advance(30_000);
    log.appendAsLeader(batch(clock.millis(), "v08"), 0);
    assertEquals(4, segmentCount());
    clock.advance(30_001);
    log.appendAsLeader(batch(clock.millis(), "v09"), 0);
    assertEquals(5, segmentCount(), "an append to a segment older than segment.ms rolls first");
    assertEquals(10, readAll(log).size());
  }

  @Test
  void offsetForTimestampFindsTheFirstRecordAtOrAfter() throws Exception {
    open(config(400, 1));
    for (int i = 0; i < 20; i++) {
      long ts = i == 10 ? 5 : 100 + 10L * i; // one out-of-order timestamp
      log.appendAsLeader(batch(ts, "r" + i), 2);
    }
    assertEquals(Optional.of(new TimestampAndOffset(100, 0, Optional.of(2))), log.offsetForTimestamp(0));
    assertEquals(Optional.of(new TimestampAndOffset(150, 5, Optional.of(2))), log.offsetForTimestamp(145));
    assertEquals(Optional.of(new TimestampAndOffset(150, 5, Optional.of(2))), log.offsetForTimestamp(150));
    assertEquals(Optional.of(new TimestampAndOffset(290, 19, Optional.of(2))), log.offsetForTimestamp(285));
    assertEquals(Optional.empty(), log.offsetForTimestamp(291));
    assertEquals(Optional.of(new TimestampAndOffset(290, 19, Optional.of(2))), log.offsetOfMaxTimestamp());
    log.deleteRecordsBefore(7);
    assertEquals(7, log.offsetForTimestamp(0).orElseThrow().offset, "never below the log start offset");
    log.close();
    log = PartitionLog.open(dir, config(400, 1), clock);
    assertEquals(Optional.of(new TimestampAndOffset(150, 7, Optional.of(2))).map(t -> t.offset),
        log.offsetForTimestamp(145).map(t -> t.offset), "the loaded time index answers, above the log start");
    assertEquals(Optional.of(new TimestampAndOffset(190, 9, Optional.of(2))), log.offsetForTimestamp(181));
    assertEquals(19, log.offsetOfMaxTimestamp().orElseThrow().offset);
  }

  @Test
  void emptyLogHasNoTimestamps() throws Exception {
    open(config(400, 1));
    assertEquals(Optional.empty(), log.offsetForTimestamp(0));
    assertEquals(Optional.empty(), log.offsetOfMaxTimestamp());
  }

  @Test
  void truncateToDropsBatchesAndTheLogContinuesFromThere() throws Exception {
    int batchSize = batch(0, "a0", "b0").sizeInBytes();
    open(config(2 * batchSize, 1));
    for (int i = 0; i < 6; i++) {
      log.appendAsLeader(batch(i, "a" + i, "b" + i), 0); // offsets 2i, 2i+1
    }
    log.truncateTo(6);
    assertEquals(6, log.logEndOffset());
    assertEquals(6, readAll(log).size());
    log.truncateTo(3); // mid-batch: the whole batch 2-3 goes
    assertEquals(2, log.logEndOffset());
    assertEquals(Optional.of(new TimestampAndOffset(0, 0, Optional.of(0))), log.offsetOfMaxTimestamp(),
        "the largest timestamp is re-derived from what remains");
    LogAppendInfo info = log.appendAsLeader(batch(9, "z"), 0);
    assertEquals(2, info.firstOffset());
    assertEquals(List.of(new Entry(0, "a0"), new Entry(1, "b0"), new Entry(2, "z")), readAll(log));
    assertEquals(1, segmentCount(), "segments wholly above the truncation point are deleted");
    log.truncateTo(0);
    assertEquals(0, log.logEndOffset());
    assertEquals(0, readAll(log).size());
    assertEquals(0, log.appendAsLeader(batch(0, "again"), 0).firstOffset());
  }

  @Test
  void deleteRecordsBeforeAdvancesAndPersistsTheLogStart() throws Exception {
    int batchSize = batch(0, "a0").sizeInBytes();
    open(config(2 * batchSize, 1));
    for (int i = 0; i < 6; i++) {
      log.appendAsLeader(batch(i, "a" + i), 0);
    }
    assertEquals(3, segmentCount());
    log.deleteRecordsBefore(3);
    assertEquals(3, log.logStartOffset());
    assertEquals(2, segmentCount(), "the segment holding 0-1 is wholly below 3");
    assertEquals(List.of(new Entry(3, "a3"), new Entry(4, "a4"), new Entry(5, "a5")), readAll(log));
    assertEquals(3, entries((MemoryRecords) log.read(3, 1 << 20, Long.MAX_VALUE).records()).get(0).offset());
    log.deleteRecordsBefore(1); // below the start: no-op
    assertEquals(3, log.logStartOffset());
    assertThrows(OffsetOutOfRangeException.class, () -> log.deleteRecordsBefore(7));
    log.close();
    log = PartitionLog.open(dir, config(2 * batchSize, 1), clock);
    assertEquals(3, log.logStartOffset());
    log.deleteRecordsBefore(6);
    assertEquals(6, log.logStartOffset());
    assertEquals(1, segmentCount(), "deleting up to the end rolls and deletes the old active segment");
    assertEquals(6, log.appendAsLeader(batch(0, "next"), 0).firstOffset());
  }

  @Test
  void aFollowerLogRestartsAtTheLeadersLogStartAndTakesTheLeadersBatchesFromThere() throws Exception {
    PartitionLog leader = PartitionLog.open(dir.resolve("leader"), config(1 << 20, 1), clock);
    try {
      for (int i = 0; i < 5; i++) {
        leader.appendAsLeader(batch(i, "a" + i, "b" + i), 3); // offsets 2i, 2i+1
      }
      open(config(1 << 20, 1));
      log.truncateFullyAndRestartAt(6);
      assertEquals(6, log.logStartOffset());
      assertEquals(6, log.logEndOffset());
      log.appendAsFollower(copy((MemoryRecords) leader.read(6, 1 << 20, Long.MAX_VALUE).records()));
      assertEquals(10, log.logEndOffset());
      assertEquals(List.of(new Entry(6, "a3"), new Entry(7, "b3"), new Entry(8, "a4"), new Entry(9, "b4")), readAll(log));
      assertEquals(3, log.leaderEpochCache().latestEpoch().orElseThrow());
      log.close();
      log = PartitionLog.open(dir, config(1 << 20, 1), clock);
      assertEquals(6, log.logStartOffset(), "the restart survives a reopen");
    } finally {
      leader.close();
    }
  }

  @Test
  void retentionByTimeDeletesWholeExpiredSegments() throws Exception {
    int batchSize = batch(0, "a0").sizeInBytes();
    open(with(config(2 * batchSize, 1), Long.MAX_VALUE / 2, 10_000, -1));
    for (int i = 0; i < 5; i++) {
      log.appendAsLeader(batch(clock.millis(), "a" + i), 0);
      clock.advance(3_000);
    }
    // segments: [0,1] ts 0s,3s; [2,3] 6s,9s; [4] 12s. now = 15s
    log.runMaintenance();
    assertEquals(2, log.logStartOffset(), "segment with largest ts 3s is older than 15s-10s");
    clock.advance(20_000);
    log.runMaintenance();
    assertEquals(5, log.logStartOffset(), "everything expired: the active segment is rolled and deleted");
    assertEquals(1, segmentCount());
    assertEquals(5, log.logEndOffset());
    assertEquals(5, log.appendAsLeader(batch(clock.millis(), "b"), 0).firstOffset());
  }

  @Test
  void aSegmentRemovedByRetentionStaysReadableForFileDeleteDelayThenItsFilesGo() throws Exception {
    int batchSize = batch(0, "a0").sizeInBytes();
    open(with(config(2 * batchSize, 1), Long.MAX_VALUE / 2, 10_000, -1).withFileDeleteDelayMs(60_000));
    for (int i = 0; i < 5; i++) {
      log.appendAsLeader(batch(clock.millis(), "a" + i), 0);
    }
    // A zero-copy fetch holds a slice of the first segment when retention removes it.
    FetchedRecords sending = log.readFileSlice(0, 1 << 20, Long.MAX_VALUE);
    clock.advance(20_000);
    log.runMaintenance();
    assertEquals(5, log.logStartOffset());
    assertEquals(List.of("00000000000000000000.log.deleted", "00000000000000000002.log.deleted",
            "00000000000000000004.log.deleted"),
        fileNames(name -> name.endsWith(".log.deleted")));

    ByteBuffer sent = ByteBuffer.allocate(sending.records().sizeInBytes());
    ((FileRecords) sending.records()).readInto(sent, 0);
    assertEquals(List.of(new Entry(0, "a0"), new Entry(1, "a1")), entries(MemoryRecords.readableRecords(sent)),
        "the slice sends its whole range after its segment left the log");

    clock.advance(59_000);
    log.runMaintenance();
    assertEquals(3, fileNames(name -> name.endsWith(".log.deleted")).size(), "not before file.delete.delay.ms");
    clock.advance(1_000);
    log.runMaintenance();
    assertEquals(List.of(), fileNames(name -> name.endsWith(".deleted")));
  }

  private List<String> fileNames(java.util.function.Predicate<String> wanted) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).filter(wanted).sorted().toList();
    }
  }

  @Test
  void retentionBySizeKeepsTheNewestSegmentsWithinTheBound() throws Exception {
    int batchSize = batch(0, "a0").sizeInBytes();
    open(with(config(2 * batchSize, 1), Long.MAX_VALUE / 2, -1, 3L * batchSize));
    for (int i = 0; i < 7; i++) {
      log.appendAsLeader(batch(0, "a" + i), 0);
    }
    // segments of 2,2,2,1 batches = 7 batches; bound 3: delete while the rest still exceeds it
    log.runMaintenance();
    assertEquals(4, log.logStartOffset());
    assertEquals(List.of(new Entry(4, "a4"), new Entry(5, "a5"), new Entry(6, "a6")), readAll(log));
  }

  @Test
  void flushMessagesFlushesAndAdvancesTheRecoveryPoint() throws Exception {
    LogConfig c = config(1 << 20, 100);
    open(new LogConfig(c.segmentBytes(), c.segmentMs(), -1, -1, c.maxMessageBytes(), 100, c.segmentIndexBytes(),
        3, Long.MAX_VALUE, TimestampType.CREATE_TIME));
    Path recoveryPoint = dir.resolve(LogCheckpoints.RECOVERY_POINT_FILE);
    log.appendAsLeader(batch(0, "a", "b"), 0);
    assertTrue(Files.readString(recoveryPoint).startsWith("0\n"));
    log.appendAsLeader(batch(0, "c"), 0);
    assertTrue(Files.readString(recoveryPoint).startsWith("3\n"), Files.readString(recoveryPoint));
  }

  @Test
  void rolledSegmentsAreFsyncedByMaintenanceNotByTheAppend() throws Exception {
    int batchSize = batch(0, "a0").sizeInBytes();
    open(config(2 * batchSize, 1));
    Path recoveryPoint = dir.resolve(LogCheckpoints.RECOVERY_POINT_FILE);
    for (int i = 0; i < 5; i++) {
      log.appendAsLeader(batch(0, "a" + i), 0);
    }
    assertEquals(3, segmentCount());
    assertTrue(Files.readString(recoveryPoint).startsWith("0\n"));
    assertFalse(Files.exists(dir.resolve(LogSegment.fileName(0, LogSegment.INDEX_SUFFIX))), "not yet flushed");
    log.runMaintenance();
    assertTrue(Files.readString(recoveryPoint).startsWith("4\n"), "up to the active segment's base");
    assertTrue(Files.exists(dir.resolve(LogSegment.fileName(2, LogSegment.INDEX_SUFFIX))));

    // Finished segments now serve lookups from their mapped index files.
    assertEquals(5, readAll(log).size());
    assertEquals(3, entries((MemoryRecords) log.read(3, 1, Long.MAX_VALUE).records()).get(0).offset());
    // A sealed segment becomes active again after truncations, and takes appends.
    log.truncateTo(4);
    assertEquals(4, log.appendAsLeader(batch(0, "b4"), 0).firstOffset());
    log.truncateTo(1);
    assertEquals(1, log.appendAsLeader(batch(0, "b1"), 0).firstOffset());
    assertEquals(List.of(new Entry(0, "a0"), new Entry(1, "b1")), readAll(log));
  }

  @Test
  void flushMsFlushesOnAppendAndMaintenance() throws Exception {
    LogConfig c = config(1 << 20, 100);
    open(new LogConfig(c.segmentBytes(), c.segmentMs(), -1, -1, c.maxMessageBytes(), 100, c.segmentIndexBytes(),
        Long.MAX_VALUE, 1000, TimestampType.CREATE_TIME));
    Path recoveryPoint = dir.resolve(LogCheckpoints.RECOVERY_POINT_FILE);
    log.appendAsLeader(batch(0, "a"), 0);
    assertTrue(Files.readString(recoveryPoint).startsWith("0\n"));
    clock.advance(1000);
    log.runMaintenance();
    assertTrue(Files.readString(recoveryPoint).startsWith("1\n"));
  }

  @Test
  void cleanCloseAndReopenKeepsEverything() throws Exception {
    open(config(500, 1));
    List<Entry> expected = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      LogAppendInfo info = log.appendAsLeader(batch(i, "v" + i), i / 10);
      expected.add(new Entry(info.firstOffset(), "v" + i));
    }
    log.close();
    assertTrue(Files.exists(dir.resolve(LogCheckpoints.CLEAN_SHUTDOWN_FILE)));
    log = PartitionLog.open(dir, config(500, 1), clock);
    assertFalse(Files.exists(dir.resolve(LogCheckpoints.CLEAN_SHUTDOWN_FILE)), "removed on open");
    assertEquals(expected, readAll(log));
    assertEquals(30, log.logEndOffset());
    assertEquals(2, log.leaderEpochCache().latestEpoch().getAsInt());
    assertEquals(new LeaderEpochCache.EpochEndOffset(1, 20), log.leaderEpochCache().endOffsetFor(1));
    assertEquals(30, log.appendAsLeader(batch(0, "more"), 2).firstOffset());
  }

  @Test
  void aFullIndexRollsTheSegment() throws Exception {
    LogConfig c = config(1 << 20, 1);
    open(new LogConfig(c.segmentBytes(), c.segmentMs(), -1, -1, c.maxMessageBytes(), 1, 3 * OffsetIndex.ENTRY_SIZE_BYTES,
        Long.MAX_VALUE, Long.MAX_VALUE, TimestampType.CREATE_TIME));
    for (int i = 0; i < 8; i++) {
      log.appendAsLeader(batch(i, "v" + i), 0);
    }
    // The time index (12-byte entries) fills first: its 2 entries come with the 2nd and 3rd batch.
    assertEquals(3, segmentCount());
    assertEquals(8, readAll(log).size());
  }

  @Test
  void updateConfigAppliesToLaterAppends() throws Exception {
    open(config(1 << 20, 100));
    log.appendAsLeader(batch(0, "a"), 0);
    LogConfig small = config(1, 100);
    log.updateConfig(small);
    assertEquals(small, log.config());
    log.appendAsLeader(batch(0, "b"), 0);
    assertEquals(2, segmentCount());
  }

  @Test
  void deleteRemovesTheDirectory() throws Exception {
    open(config(1 << 20, 100));
    log.appendAsLeader(batch(0, "a"), 0);
    log.delete();
    log = null;
    assertFalse(Files.exists(dir));
  }
}
