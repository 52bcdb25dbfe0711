package io.vltava.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vltava.log.LogConfig;
import io.vltava.log.PartitionLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two nodes' journal stores over the same partition log, as in a cluster. */
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
}
