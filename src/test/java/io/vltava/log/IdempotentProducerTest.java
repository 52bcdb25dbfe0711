package io.vltava.log;

import static io.vltava.log.LogTestSupport.batch;
import static io.vltava.log.LogTestSupport.config;
import static io.vltava.log.LogTestSupport.idempotent;
import static io.vltava.log.LogTestSupport.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.log.LogTestSupport.ManualClock;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.SimpleRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdempotentProducerTest {
  private static final long PID = 42;
  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(1_000_000);
  private PartitionLog log;

  @AfterEach
  void closeLog() throws Exception {
    if (log != null) {
      log.close();
    }
  }

  private PartitionLog open() throws Exception {
    log = PartitionLog.open(dir, config(1024, 1), clock);
    return log;
  }

  @Test
  void aResentBatchIsADuplicateWithTheOriginalOffsets() throws Exception {
    open();
    log.appendAsLeader(batch(0, "other"), 0);
    LogAppendInfo first = log.appendAsLeader(idempotent(PID, (short) 0, 0, "a", "b"), 0);
    log.appendAsLeader(idempotent(PID, (short) 0, 2, "c"), 0);
    assertEquals(1, first.firstOffset());
    LogAppendInfo again = log.appendAsLeader(idempotent(PID, (short) 0, 0, "a", "b"), 0);
    assertTrue(again.duplicate());
    assertEquals(1, again.firstOffset());
    assertEquals(2, again.lastOffset());
    assertEquals(4, log.logEndOffset(), "a duplicate writes nothing");
    assertEquals(4, readAll(log).size());
  }

  @Test
  void onlyTheLastFiveBatchesAreRemembered() throws Exception {
    open();
    for (int seq = 0; seq < 6; seq++) {
      log.appendAsLeader(idempotent(PID, (short) 0, seq, "v" + seq), 0);
    }
    assertTrue(log.appendAsLeader(idempotent(PID, (short) 0, 1, "v1"), 0).duplicate());
    assertThrows(OutOfOrderSequenceException.class, () -> log.appendAsLeader(idempotent(PID, (short) 0, 0, "v0"), 0),
        "the sixth-last batch is forgotten, so its resend is out of order");
  }

  @Test
  void sequenceGapsAndUnknownProducersNotAtZeroAreOutOfOrder() throws Exception {
    open();
    assertThrows(OutOfOrderSequenceException.class, () -> log.appendAsLeader(idempotent(PID, (short) 0, 5, "x"), 0));
    log.appendAsLeader(idempotent(PID, (short) 0, 0, "a", "b"), 0);
    OutOfOrderSequenceException gap = assertThrows(OutOfOrderSequenceException.class,
        () -> log.appendAsLeader(idempotent(PID, (short) 0, 3, "d"), 0));
    assertTrue(gap.getMessage().contains("sequence 3"), gap.getMessage());
    assertEquals(2, log.logEndOffset());
    assertEquals(2, log.appendAsLeader(idempotent(PID, (short) 0, 2, "c"), 0).firstOffset());
  }

  @Test
  void epochsFenceOlderProducersAndNewEpochsStartAtZero() throws Exception {
    open();
    log.appendAsLeader(idempotent(PID, (short) 3, 0, "a"), 0);
    assertThrows(InvalidProducerEpochException.class, () -> log.appendAsLeader(idempotent(PID, (short) 2, 1, "b"), 0));
    assertThrows(OutOfOrderSequenceException.class, () -> log.appendAsLeader(idempotent(PID, (short) 4, 1, "b"), 0));
    log.appendAsLeader(idempotent(PID, (short) 4, 0, "b"), 0);
    assertThrows(InvalidProducerEpochException.class, () -> log.appendAsLeader(idempotent(PID, (short) 3, 1, "c"), 0));
  }

  @Test
  void sequencesWrapAtIntegerMaxValue() throws Exception {
    open();
    log.appendAsLeader(idempotent(PID, (short) 0, 0, "a"), 0);
    log.deleteRecordsBefore(1); // retention retires the producer: any next sequence is accepted
    log.appendAsLeader(idempotent(PID, (short) 0, Integer.MAX_VALUE - 1, "y", "z"), 0);
    assertEquals(3, log.appendAsLeader(idempotent(PID, (short) 0, 0, "wrapped"), 0).firstOffset());
    assertThrows(OutOfOrderSequenceException.class, () -> log.appendAsLeader(idempotent(PID, (short) 0, 2, "gap"), 0));
  }

  @Test
  void aProducerWhoseBatchesWereDeletedByRetentionMayContinue() throws Exception {
    open();
    log.appendAsLeader(idempotent(PID, (short) 0, 0, "a", "b"), 0);
    log.appendAsLeader(batch(0, "c"), 0);
    log.deleteRecordsBefore(3);
    assertEquals(3, log.appendAsLeader(idempotent(PID, (short) 0, 7, "later"), 0).firstOffset());
    assertThrows(OutOfOrderSequenceException.class, () -> log.appendAsLeader(idempotent(PID, (short) 0, 9, "gap"), 0));
  }

  @Test
  void aRequestWithABadSequenceWritesNothingAndChangesNoState() throws Exception {
    open();
    MemoryRecords good = idempotent(PID, (short) 0, 0, "a");
    MemoryRecords bad = idempotent(PID, (short) 0, 5, "b");
    ByteBuffer both = ByteBuffer.allocate(good.sizeInBytes() + bad.sizeInBytes());
    both.put(good.buffer()).put(bad.buffer()).flip();
    assertThrows(OutOfOrderSequenceException.class, () -> log.appendAsLeader(MemoryRecords.readableRecords(both), 0));
    assertEquals(0, log.logEndOffset());
    assertFalse(log.appendAsLeader(idempotent(PID, (short) 0, 0, "a"), 0).duplicate(), "the rejected batch was not staged");
  }

  @Test
  void stateSurvivesACleanReopenThroughTheSnapshot() throws Exception {
    open();
    log.appendAsLeader(idempotent(PID, (short) 1, 0, "a"), 0);
    log.appendAsLeader(idempotent(PID, (short) 1, 1, "b"), 0);
    log.close();
    assertTrue(Files.exists(dir.resolve(ProducerStateManager.SNAPSHOT_FILE)));
    open();
    assertFalse(Files.exists(dir.resolve(ProducerStateManager.SNAPSHOT_FILE)), "used once, then removed");
    assertTrue(log.appendAsLeader(idempotent(PID, (short) 1, 1, "b"), 0).duplicate());
    assertThrows(OutOfOrderSequenceException.class, () -> log.appendAsLeader(idempotent(PID, (short) 1, 3, "d"), 0));
  }

  @Test
  void stateIsRebuiltFromTheLogAfterAnUncleanShutdownOrABadSnapshot() throws Exception {
    open();
    for (int seq = 0; seq < 10; seq++) {
      log.appendAsLeader(idempotent(PID, (short) 1, seq, "v" + seq), 0);
    }
    // Crash: the writer vanishes without close().
    log = PartitionLog.open(dir, config(1024, 1), clock);
    LogAppendInfo dup = log.appendAsLeader(idempotent(PID, (short) 1, 8, "v8"), 0);
    assertTrue(dup.duplicate());
    assertEquals(8, dup.firstOffset());
    assertEquals(10, log.appendAsLeader(idempotent(PID, (short) 1, 10, "v10"), 0).firstOffset());

    log.close();
    Files.writeString(dir.resolve(ProducerStateManager.SNAPSHOT_FILE), "1\n11\n42 1 garbage\n");
    open();
    assertTrue(log.appendAsLeader(idempotent(PID, (short) 1, 10, "v10"), 0).duplicate(), "rebuilt by a scan");
  }

  @Test
  void activeProducersReportEachProducersLatestBatchAcrossReopens() throws Exception {
    open();
    log.appendAsLeader(stamped(PID, (short) 1, 0, 5_000, "a", "b"), 0);
    log.appendAsLeader(stamped(PID, (short) 1, 2, 7_000, "c"), 0);
    log.appendAsLeader(stamped(7, (short) 0, 0, 6_000, "x"), 0);
    log.appendAsLeader(batch(9_000, "not idempotent"), 0);
    List<ActiveProducer> expected = List.of(new ActiveProducer(7, (short) 0, 0, 6_000), new ActiveProducer(PID, (short) 1, 2, 7_000));
    assertEquals(expected, sorted(log.activeProducers()));

    log.close();
    open();
    assertEquals(expected, sorted(log.activeProducers()), "through the snapshot");
    // Crash: the writer vanishes without close(), so the state is rebuilt by a scan.
    log = PartitionLog.open(dir, config(1024, 1), clock);
    assertEquals(expected, sorted(log.activeProducers()), "rebuilt from the log");
  }

  @Test
  void logAppendTimeIsTheProducersLastTimestamp() throws Exception {
    LogConfig c = config(1024, 1);
    log = PartitionLog.open(dir, new LogConfig(c.segmentBytes(), c.segmentMs(), c.retentionMs(), c.retentionBytes(), c.maxMessageBytes(),
        c.indexIntervalBytes(), c.segmentIndexBytes(), c.flushMessages(), c.flushMs(), TimestampType.LOG_APPEND_TIME), clock);
    log.appendAsLeader(stamped(PID, (short) 0, 0, 5_000, "a"), 0);
    assertEquals(List.of(new ActiveProducer(PID, (short) 0, 0, clock.millis())), log.activeProducers());
  }

  private static MemoryRecords stamped(long producerId, short epoch, int firstSeq, long timestampMs, String... values) {
    SimpleRecord[] records = new SimpleRecord[values.length];
    for (int i = 0; i < values.length; i++) {
      records[i] = new SimpleRecord(timestampMs, values[i].getBytes(StandardCharsets.UTF_8));
    }
    return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, firstSeq, records);
  }

  private static List<ActiveProducer> sorted(List<ActiveProducer> producers) {
    return producers.stream().sorted(Comparator.comparingLong(ActiveProducer::producerId)).toList();
  }
}
