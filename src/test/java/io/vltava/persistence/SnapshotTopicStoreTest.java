package io.vltava.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vltava.log.LogConfig;
import io.vltava.log.PartitionLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two nodes' snapshot stores over the same partition log, as in a cluster. */
class SnapshotTopicStoreTest {
  private static final SnapshotTopicStore.Criteria LATEST = new SnapshotTopicStore.Criteria(0, Long.MAX_VALUE, 0, Long.MAX_VALUE);

  @TempDir Path dir;
  private final ExecutorService io = Executors.newSingleThreadExecutor();
  private PartitionLog log;
  private SnapshotTopicStore first;
  private SnapshotTopicStore second;

  @BeforeEach
  void open() throws Exception {
    log = PartitionLog.open(dir, LogConfig.defaults(), Clock.systemUTC());
    SharedLogPartition partition = new SharedLogPartition(log, io);
    first = new SnapshotTopicStore(partition);
    second = new SnapshotTopicStore(partition);
  }

  @AfterEach
  void close() throws Exception {
    io.shutdownNow();
    log.close();
  }

  @Test
  void loadReturnsTheNewestSnapshotMatchingTheCriteriaOfItsOwnEntity() throws Exception {
    save(first, "a", 10, 1_000, "a10");
    save(first, "a", 20, 2_000, "a20");
    save(first, "b", 30, 3_000, "b30");
    assertEquals(Optional.of("a20"), load(second, "a", LATEST));
    assertEquals(Optional.of("a10"), load(second, "a", new SnapshotTopicStore.Criteria(0, 19, 0, Long.MAX_VALUE)));
    assertEquals(Optional.of("a10"), load(second, "a", new SnapshotTopicStore.Criteria(0, Long.MAX_VALUE, 0, 1_999)));
    assertEquals(Optional.empty(), load(second, "a", new SnapshotTopicStore.Criteria(11, 19, 0, Long.MAX_VALUE)));
    assertEquals(Optional.of("b30"), load(second, "b", LATEST));
    assertEquals(Optional.empty(), load(second, "c", LATEST));
  }

  @Test
  void deletedSnapshotsAreGoneForEveryNodeAndLaterOnesStay() throws Exception {
    save(first, "a", 10, 1_000, "a10");
    save(first, "a", 20, 2_000, "a20");
    save(first, "a", 30, 3_000, "a30");
    assertEquals(Optional.of("a30"), load(second, "a", LATEST), "the second node has indexed all three");
    first.delete("a", new SnapshotTopicStore.Criteria(0, 20, 0, Long.MAX_VALUE)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(Optional.empty(), load(second, "a", new SnapshotTopicStore.Criteria(0, 29, 0, Long.MAX_VALUE)));
    assertEquals(Optional.of("a30"), load(second, "a", LATEST));
    // A snapshot saved again after its deletion (same sequence number) is live again.
    save(second, "a", 20, 2_500, "a20-again");
    assertEquals(Optional.of("a20-again"), load(first, "a", new SnapshotTopicStore.Criteria(0, 29, 0, Long.MAX_VALUE)));
  }

  private static void save(SnapshotTopicStore store, String id, long seqNr, long timestamp, String payload) throws Exception {
    store.save(id, new SnapshotTopicStore.Snapshot(seqNr, timestamp, payload.getBytes(StandardCharsets.UTF_8)))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Optional<String> load(SnapshotTopicStore store, String id, SnapshotTopicStore.Criteria criteria) throws Exception {
    return store.load(id, criteria).toCompletableFuture().get(10, TimeUnit.SECONDS)
        .map(snapshot -> new String(snapshot.payload(), StandardCharsets.UTF_8));
  }
}
