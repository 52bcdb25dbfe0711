package io.vltava.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vltava.kafka.FetchSession.PartitionFetch;
import io.vltava.log.LogTestSupport.ManualClock;
import java.util.stream.IntStream;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.requests.FetchMetadata;
import org.junit.jupiter.api.Test;

/** The bounded session cache's admission and eviction rules, which follow Kafka's. */
class FetchSessionCacheTest {
  private static final long EVICTION_MS = 120_000;
  private static final boolean CONSUMER = false;
  private static final boolean FOLLOWER = true;

  private final ManualClock clock = new ManualClock(1_000_000);

  @Test
  void aFullCacheAdmitsNoEqualNewcomerAndTheFetchGoesWithoutASession() {
    FetchSessionCache cache = cache(2);
    int first = create(cache, CONSUMER, 3);
    int second = create(cache, CONSUMER, 3);
    assertEquals(FetchMetadata.INVALID_SESSION_ID, create(cache, CONSUMER, 3));
    assertNotNull(cache.get(first));
    assertNotNull(cache.get(second));
    assertEquals(2, cache.size());
    assertEquals(6, cache.cachedPartitions());
    assertEquals(0, cache.evictions());
  }

  @Test
  void aSessionIdleLongerThanTheEvictionTimeMakesRoom() {
    FetchSessionCache cache = cache(2);
    int idle = create(cache, FOLLOWER, 10);
    clock.advance(1_000);
    int busy = create(cache, CONSUMER, 1);
    clock.advance(EVICTION_MS);
    cache.touch(cache.get(busy), clock.millis());
    int newcomer = create(cache, CONSUMER, 1);
    assertNotEquals(FetchMetadata.INVALID_SESSION_ID, newcomer);
    assertNull(cache.get(idle), "the idle session went, although it was a larger follower's");
    assertNotNull(cache.get(busy));
    assertEquals(1, cache.evictions());
  }

  @Test
  void anOldSessionGivesWayOnlyToALargerNewcomer() {
    FetchSessionCache cache = cache(1);
    int old = create(cache, CONSUMER, 5);
    clock.advance(EVICTION_MS + 1);
    cache.touch(cache.get(old), clock.millis());
    assertEquals(FetchMetadata.INVALID_SESSION_ID, create(cache, CONSUMER, 5), "not larger");
    int larger = create(cache, CONSUMER, 6);
    assertNotEquals(FetchMetadata.INVALID_SESSION_ID, larger);
    assertNull(cache.get(old));
  }

  @Test
  void aYoungSessionIsNotEvictedForSize() {
    FetchSessionCache cache = cache(1);
    int young = create(cache, CONSUMER, 1);
    assertEquals(FetchMetadata.INVALID_SESSION_ID, create(cache, CONSUMER, 100));
    assertNotNull(cache.get(young));
  }

  @Test
  void aFollowerEvictsAConsumersSessionOfAnyAgeButNotTheOtherWayRound() {
    FetchSessionCache cache = cache(1);
    int consumer = create(cache, CONSUMER, 50);
    int follower = create(cache, FOLLOWER, 1);
    assertNotEquals(FetchMetadata.INVALID_SESSION_ID, follower);
    assertNull(cache.get(consumer));
    assertEquals(FetchMetadata.INVALID_SESSION_ID, create(cache, CONSUMER, 100));
    assertNotNull(cache.get(follower));
  }

  @Test
  void zeroSlotsMeanNoSessions() {
    assertEquals(FetchMetadata.INVALID_SESSION_ID, create(cache(0), FOLLOWER, 1));
  }

  @Test
  void removingASessionFreesItsSlotAndPartitions() {
    FetchSessionCache cache = cache(1);
    int id = create(cache, CONSUMER, 4);
    cache.remove(id);
    assertEquals(0, cache.size());
    assertEquals(0, cache.cachedPartitions());
    assertNotEquals(FetchMetadata.INVALID_SESSION_ID, create(cache, CONSUMER, 1));
  }

  private FetchSessionCache cache(int slots) {
    return new FetchSessionCache(new FetchSessionSettings(slots, EVICTION_MS), clock);
  }

  private static int create(FetchSessionCache cache, boolean follower, int partitions) {
    return cache.create(follower, true, partitions, session -> IntStream.range(0, partitions).forEach(p -> session.cache(
        new PartitionFetch(Uuid.ONE_UUID, null, p, 0, 1024, -1),
        new FetchResponseData.PartitionData().setPartitionIndex(p).setHighWatermark(0).setLogStartOffset(0))));
  }
}
