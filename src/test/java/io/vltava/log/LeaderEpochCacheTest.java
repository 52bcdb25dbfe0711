package io.vltava.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.log.LeaderEpochCache.EpochEndOffset;
import io.vltava.log.LeaderEpochCache.EpochEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaderEpochCacheTest {
  @TempDir Path dir;
  private final AtomicLong logEndOffset = new AtomicLong(100);

  private LeaderEpochCache load() throws Exception {
    return LeaderEpochCache.load(dir, logEndOffset::get);
  }

  @Test
  void assignKeepsIncreasingEpochsAndIgnoresOlderOnes() throws Exception {
    LeaderEpochCache cache = load();
    assertEquals(OptionalInt.empty(), cache.latestEpoch());
    cache.assign(1, 0);
    cache.assign(3, 20);
    cache.assign(2, 30); // older than latest: already superseded
    cache.assign(3, 40); // same epoch: keeps its first start offset
    assertEquals(List.of(new EpochEntry(1, 0), new EpochEntry(3, 20)), cache.entries());
    assertEquals(OptionalInt.of(3), cache.latestEpoch());
  }

  @Test
  void endOffsetForFollowsKafkaSemantics() throws Exception {
    LeaderEpochCache cache = load();
    assertEquals(new EpochEndOffset(-1, -1), cache.endOffsetFor(0));
    cache.assign(2, 10);
    cache.assign(4, 30);
    cache.assign(7, 50);
    assertEquals(new EpochEndOffset(7, 100), cache.endOffsetFor(7), "latest epoch ends at the log end");
    assertEquals(new EpochEndOffset(4, 50), cache.endOffsetFor(4));
    assertEquals(new EpochEndOffset(4, 50), cache.endOffsetFor(5), "unknown epoch: largest epoch below it");
    assertEquals(new EpochEndOffset(2, 30), cache.endOffsetFor(3));
    assertEquals(new EpochEndOffset(1, 10), cache.endOffsetFor(1), "below every epoch: the first start offset");
    assertEquals(new EpochEndOffset(-1, -1), cache.endOffsetFor(8), "above every epoch: undefined");
    assertEquals(new EpochEndOffset(-1, -1), cache.endOffsetFor(-1));
  }

  @Test
  void truncateFromEndDropsEpochsStartingAtOrAfterTheOffset() throws Exception {
    LeaderEpochCache cache = load();
    cache.assign(1, 0);
    cache.assign(2, 10);
    cache.assign(3, 20);
    cache.truncateFromEnd(20);
    assertEquals(List.of(new EpochEntry(1, 0), new EpochEntry(2, 10)), cache.entries());
    cache.truncateFromEnd(5);
    assertEquals(List.of(new EpochEntry(1, 0)), cache.entries());
  }

  @Test
  void truncateFromStartKeepsTheEpochHoldingTheNewStart() throws Exception {
    LeaderEpochCache cache = load();
    cache.assign(1, 0);
    cache.assign(2, 10);
    cache.assign(3, 20);
    cache.truncateFromStart(15);
    assertEquals(List.of(new EpochEntry(2, 15), new EpochEntry(3, 20)), cache.entries());
    cache.truncateFromStart(20);
    assertEquals(List.of(new EpochEntry(3, 20)), cache.entries());
    cache.truncateFromStart(5); // below the first entry: nothing to drop
    assertEquals(List.of(new EpochEntry(3, 20)), cache.entries());
  }

  @Test
  void entriesSurviveReloadAndACorruptCheckpointLoadsEmpty() throws Exception {
    LeaderEpochCache cache = load();
    cache.assign(1, 0);
    cache.assign(5, 42);
    assertEquals(List.of(new EpochEntry(1, 0), new EpochEntry(5, 42)), load().entries());

    Path file = dir.resolve(LeaderEpochCache.FILE_NAME);
    String text = Files.readString(file);
    Files.writeString(file, text.replace("5 42", "5 43"));
    assertTrue(load().isEmpty(), "a checkpoint failing its CRC is not trusted");
    Files.writeString(file, "garbage");
    assertTrue(load().isEmpty());
    Files.delete(file);
    assertTrue(load().isEmpty());
  }
}
