package io.vltava.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogRecoveryProgressTest {
  private static final TopicPartition ORDERS_3 = new TopicPartition("orders", 3);
  private static final TopicPartition ORDERS_4 = new TopicPartition("orders", 4);

  private final AtomicLong nanos = new AtomicLong();
  private final LogRecoveryProgress progress = new LogRecoveryProgress(nanos::get);

  @Test
  void eachExpectedPartitionIsNumberedAgainstTheTotalAndTheLastEndsWithASummary() {
    assertEquals(Optional.of("Recovering the logs of 2 partitions"), progress.expect(List.of(ORDERS_3, ORDERS_4)));
    assertEquals(2, progress.snapshot().remaining());

    assertEquals(Optional.of("Recovering partition 1 of 2: orders-4, 2 segments, 35.0 MB"),
        progress.started(ORDERS_4, 2, 35L * 1024 * 1024));
    assertEquals(Optional.of("Recovering partition 2 of 2: orders-3, 1 segments, 512 B"), progress.started(ORDERS_3, 1, 512));
    assertEquals(Optional.empty(), progress.finished(ORDERS_4));
    assertEquals(1, progress.snapshot().remaining());
    assertFalse(progress.snapshot().complete());

    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(4200));
    assertEquals(Optional.of("Recovered the logs of 2 partitions (3 segments, 35.0 MB) in 4.2 s"), progress.finished(ORDERS_3));
    assertEquals(new LogRecoveryProgress.Snapshot(2, 2, 35L * 1024 * 1024 + 512, true), progress.snapshot());
  }

  @Test
  void partitionsOpenedLaterOrAgainAreNotPartOfStartUpRecovery() {
    TopicPartition created = new TopicPartition("new-topic", 0);
    assertEquals(Optional.empty(), progress.started(created, 0, 0), "nothing is expected before the first metadata");
    progress.expect(List.of(ORDERS_3));
    assertEquals(Optional.empty(), progress.expect(List.of(ORDERS_3, ORDERS_4)), "only the first call counts");
    assertFalse(progress.expects(created));
    assertEquals(Optional.empty(), progress.started(created, 1, 10));
    assertTrue(progress.expects(ORDERS_3));
    progress.started(ORDERS_3, 1, 10);
    assertTrue(progress.finished(ORDERS_3).isPresent());
    assertEquals(Optional.empty(), progress.finished(ORDERS_3), "a log reopened later is not counted again");
    assertEquals(0, progress.snapshot().remaining());
  }

  @Test
  void aNodeWithoutLogsHasNothingToRecover() {
    assertEquals(Optional.empty(), progress.expect(List.of()));
    assertTrue(progress.snapshot().complete());
    assertEquals(0, progress.snapshot().remaining());
  }

  @Test
  void segmentFilesCountOnlyLogFiles(@TempDir Path dir) throws Exception {
    Files.write(dir.resolve("00000000000000000000.log"), new byte[100]);
    Files.write(dir.resolve("00000000000000000042.log"), new byte[50]);
    Files.write(dir.resolve("00000000000000000000.index"), new byte[80]);
    assertEquals(new LogRecoveryProgress.SegmentFiles(2, 150), LogRecoveryProgress.segmentFiles(dir));
    assertEquals(new LogRecoveryProgress.SegmentFiles(0, 0), LogRecoveryProgress.segmentFiles(dir.resolve("absent")));
  }

  @Test
  void bytesReadForPeople() {
    assertEquals("1023 B", LogRecoveryProgress.humanBytes(1023));
    assertEquals("1.0 KB", LogRecoveryProgress.humanBytes(1024));
    assertEquals("1.5 GB", LogRecoveryProgress.humanBytes(3L * 512 * 1024 * 1024));
  }
}
