package io.vltava.persistence;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.log.CleanerConfig;
import io.vltava.log.CleanupConfig;
import io.vltava.log.LogCleaner;
import io.vltava.log.LogConfig;
import io.vltava.log.PartitionLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Journal stores of several nodes over the same real partition log, as in a cluster. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JournalStoreTest {
  @TempDir Path dir;
  private final ExecutorService io = Executors.newSingleThreadExecutor();
  private PartitionLog log;

  @AfterEach
  void close() throws Exception {
    io.shutdownNow();
    log.close();
  }

  private static JournalStore.Event event(long seqNr, String payload) {
    return new JournalStore.Event(seqNr, payload.getBytes(StandardCharsets.UTF_8));
  }

  private static List<String> replay(JournalStore store, String persistenceId) throws Exception {
    List<String> payloads = new ArrayList<>();
    store.replay(persistenceId, 1, Long.MAX_VALUE, Long.MAX_VALUE, e -> payloads.add(new String(e.payload(), StandardCharsets.UTF_8)))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    return payloads;
  }

  @Test
  void anEntityThatMovesToANodeWithAnOlderIndexRecoversEveryEventWrittenElsewhere() throws Exception {
    log = PartitionLog.open(dir, LogConfig.defaults(), Clock.systemUTC());
    SharedLogPartition partition = new SharedLogPartition(log, io);
    JournalStore first = new JournalStore(partition);
    JournalStore second = new JournalStore(partition);
    first.write("group-a", List.of(event(1, "a1"))).toCompletableFuture().get(10, TimeUnit.SECONDS);
    // The second node reads the partition for an entity of its own, then the first writes more.
    assertEquals(List.of("a1"), replay(second, "group-a"));
    second.write("group-b", List.of(event(1, "b1"))).toCompletableFuture().get(10, TimeUnit.SECONDS);
    first.write("group-a", List.of(event(2, "a2"), event(3, "a3"))).toCompletableFuture().get(10, TimeUnit.SECONDS);
    first.delete("group-a", 1).toCompletableFuture().get(10, TimeUnit.SECONDS);

    // group-a moves to the second node.
    assertEquals(3, second.highestSeqNr("group-a").toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertEquals(List.of("a2", "a3"), replay(second, "group-a"));
    assertEquals(List.of("b1"), replay(first, "group-b"), "and the other way round");
  }

  @Test
  void aCompactedJournalGivesBackTheSpaceOfDeletedEventsAndEveryIndexAgreesAfterwards() throws Exception {
    // The journal topic's settings, scaled down: small segments, tombstones dropped at the next cleaning.
    LogConfig defaults = LogConfig.defaults();
    LogConfig compacted = new LogConfig(4096, defaults.segmentMs(), -1, -1, defaults.maxMessageBytes(),
        defaults.indexIntervalBytes(), 4096, Long.MAX_VALUE, Long.MAX_VALUE, defaults.timestampType())
        .withCleanup(new CleanupConfig(true, false, 0, 0.1, 0, Long.MAX_VALUE));
    log = PartitionLog.open(dir, compacted, Clock.systemUTC());
    SharedLogPartition partition = new SharedLogPartition(log, io);
    JournalStore writer = new JournalStore(partition);
    JournalStore lagging = new JournalStore(partition);
    String payload = "x".repeat(200);
    writer.write("other", List.of(event(1, "kept"))).toCompletableFuture().get(10, TimeUnit.SECONDS);
    for (long seqNr = 1; seqNr <= 1000; seqNr++) {
      writer.write("busy", List.of(event(seqNr, payload + seqNr))).toCompletableFuture().get(10, TimeUnit.SECONDS);
      if (seqNr == 10) {
        // This node's index reads the partition now, then not again until the cleaner is done.
        assertEquals(10, lagging.highestSeqNr("busy").toCompletableFuture().get(10, TimeUnit.SECONDS));
      }
      if (seqNr % 100 == 0) {
        writer.delete("busy", seqNr - 50).toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
    writer.write("gone", List.of(event(1, "g1"), event(2, "g2"))).toCompletableFuture().get(10, TimeUnit.SECONDS);
    writer.delete("gone", Long.MAX_VALUE).toCompletableFuture().get(10, TimeUnit.SECONDS);
    long uncompactedBytes = log.sizeBytes();
    try (LogCleaner cleaner = new LogCleaner(new CleanerConfig(true, 1, 1 << 20, 0.9, 8192, Double.MAX_VALUE, 10),
        () -> List.of(new LogCleaner.Candidate("journal", log, log.logEndOffset())), Clock.systemUTC())) {
      cleaner.start();
      // Events 1..950 of "busy" and their tombstones go; 951..1000 (about 11 KB) and the markers stay.
      await().atMost(Duration.ofSeconds(30)).until(() -> busyRecordsOnDisk() <= 60);
    }
    assertTrue(uncompactedBytes > 250_000, uncompactedBytes + " bytes written");
    assertTrue(log.sizeBytes() < 24_000, log.sizeBytes() + " bytes after cleaning, " + uncompactedBytes + " before");

    List<String> expected = new ArrayList<>();
    for (long seqNr = 951; seqNr <= 1000; seqNr++) {
      expected.add(payload + seqNr);
    }
    JournalStore fresh = new JournalStore(partition);
    for (JournalStore store : List.of(fresh, lagging, writer)) {
      assertEquals(expected, replay(store, "busy"));
      assertEquals(1000, store.highestSeqNr("busy").toCompletableFuture().get(10, TimeUnit.SECONDS));
      assertEquals(List.of(), replay(store, "gone"));
      assertEquals(2, store.highestSeqNr("gone").toCompletableFuture().get(10, TimeUnit.SECONDS),
          "the highest sequence number outlives every event");
      assertEquals(List.of("kept"), replay(store, "other"));
    }
    assertEquals(java.util.Set.of("busy", "other"), fresh.persistenceIds().toCompletableFuture().get(10, TimeUnit.SECONDS));
  }

  /** Records of "busy" (events, tombstones, markers) left in the log. */
  private int busyRecordsOnDisk() {
    int[] count = {0};
    PartitionReader.readFrom(new SharedLogPartition(log, Runnable::run), 0, 0, record -> {
      if (JournalRecords.parse(record).persistenceId().equals("busy")) {
        count[0]++;
      }
    });
    return count[0];
  }
}
