package io.vltava.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vltava.metadata.BrokerInfo;
import io.vltava.metadata.ClusterState;
import io.vltava.metadata.MetadataCache;
import io.vltava.metadata.PartitionState;
import io.vltava.metadata.TopicState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import scala.collection.immutable.IndexedSeq;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

class LeaderAllocationStrategyTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Address SELF = new Address("pekko", "vltava", "127.0.0.1", 2551);
  private static final String SHARD = PartitionLeader.entityId(new TopicPartition("orders", 0));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** This node's shard region, with no shards yet. */
  private static Map<ActorRef, IndexedSeq<String>> oneRegion(ActorRef region) {
    return Map.of(region, CollectionConverters.asScala(List.<String>of()).toIndexedSeq());
  }

  private static ClusterState ledHere(ClusterState state) {
    ClusterState withBroker = state.withBroker(new BrokerInfo(1, "127.0.0.1", 9092, SELF.toString()));
    return withBroker.withTopic(new TopicState("orders", UUID.randomUUID(), Map.of(), List.of(PartitionState.initial(List.of(1)))));
  }

  private static CompletableFuture<ActorRef> allocate(LeaderAllocationStrategy strategy, Map<ActorRef, IndexedSeq<String>> current) {
    return FutureConverters.asJava(strategy.allocateShard(null, SHARD, current)).toCompletableFuture();
  }

  @Test
  void aShardAskedForBeforeItsPartitionIsKnownHereGoesToTheLeaderOnceItIs() throws Exception {
    MetadataCache metadata = new MetadataCache(1);
    ActorRef region = Adapter.toClassic(testKit.createTestProbe().getRef());
    CompletableFuture<ActorRef> placed = allocate(new LeaderAllocationStrategy(metadata, SELF, Duration.ofSeconds(30)), oneRegion(region));
    assertFalse(placed.isDone(), "no leader known yet");
    metadata.update(ledHere(metadata.current()));
    assertEquals(region, placed.get(5, TimeUnit.SECONDS));
  }

  @Test
  void aShardWhosePartitionHasNoLeaderIsNotPlacedAnywhere() {
    MetadataCache metadata = new MetadataCache(1);
    ActorRef region = Adapter.toClassic(testKit.createTestProbe().getRef());
    ExecutionException failed = assertThrows(ExecutionException.class,
        () -> allocate(new LeaderAllocationStrategy(metadata, SELF, Duration.ofMillis(100)), oneRegion(region)).get(5, TimeUnit.SECONDS));
    assertInstanceOf(IllegalStateException.class, failed.getCause());
    assertEquals("partition orders/0 has no live leader to host it", failed.getCause().getMessage());
    assertEquals(0, failed.getCause().getStackTrace().length, "sharding logs every failed allocation: one line each");
  }
}
