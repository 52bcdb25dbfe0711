package io.vltava.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vltava.group.GroupCoordinator;
import io.vltava.testkit.VltavaCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A group request waiting at a coordinator whose node crashes is answered once the node is gone, not at its timeout. */
class GroupCoordinatorFailoverTest {
  private static final String GROUP = "failover";
  private static final String TOPIC = "orders";
  /** The first join of a new group waits this long for others, so it is still waiting when the node crashes. */
  private static final int JOIN_WAIT_MS = 120_000;
  private static final Map<String, Object> SETTINGS = Map.of("vltava.groups.group.initial.rebalance.delay.ms", JOIN_WAIT_MS);

  @TempDir Path baseDir;

  @Test
  void aJoinWaitingAtACrashedCoordinatorGetsARetriableErrorAndTheRetryIsServedByALiveNode() throws Exception {
    try (VltavaCluster cluster = VltavaCluster.start(3, baseDir, SETTINGS)) {
      cluster.awaitMetadata(state -> state.topic("__vltava_journal").isPresent(), Duration.ofSeconds(60));
      cluster.awaitFullIsr("__vltava_journal");
      GroupTestSupport.createTopic(cluster.bootstrapServers(), TOPIC, 1);

      int coordinator = startCoordinator(cluster);
      int entry = IntStream.rangeClosed(1, 3).filter(id -> id != coordinator).findFirst().orElseThrow();
      try (RawMember member = RawMember.withReadTimeout(cluster.node(entry).kafkaAddress(), GROUP, Duration.ofSeconds(60));
          Admin admin = Admin.create(TestNodes.adminProps(cluster.node(entry).bootstrapServers()))) {
        CompletableFuture<Errors> join = CompletableFuture.supplyAsync(() -> {
          try {
            return member.join(TOPIC, 30_000, JOIN_WAIT_MS);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> describe(admin).groupState() == GroupState.PREPARING_REBALANCE);

        cluster.crash(coordinator);
        // Well within the join's own wait: the entry node answers once the cluster has removed the crashed node.
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE, join.get(60, TimeUnit.SECONDS));
      }
      // The retry a client makes: a new join through the same broker is served by the coordinator,
      // now started on a live node (a short rebalance timeout ends the new group's join wait).
      try (RawMember retry = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
          .until(() -> joinedMember(cluster.node(entry)), member -> member != null)) {
        assertEquals(retry.memberId, retry.leaderId, "alone in the group, it leads it");
        assertEquals(List.of(), retry.sync(), "as leader it assigned nothing");
        assertEquals(Errors.NONE, retry.heartbeat(retry.generationId));
      }
    }
  }

  /** A new member of the group through {@code broker}, or null (closed) if its join failed. */
  private static RawMember joinedMember(VltavaNode broker) throws Exception {
    RawMember member = new RawMember(broker.kafkaAddress(), GROUP, null);
    if (member.join(TOPIC, 30_000, 1_000) == Errors.NONE) {
      return member;
    }
    member.close();
    return null;
  }

  /** Touches the group so its coordinator starts, and returns the node it started on. */
  private static int startCoordinator(VltavaCluster cluster) throws Exception {
    try (RawMember toucher = new RawMember(cluster.node(1).kafkaAddress(), GROUP, null)) {
      assertEquals(Errors.UNKNOWN_MEMBER_ID, toucher.heartbeat(0));
    }
    for (int id = 1; id <= cluster.size(); id++) {
      ActorSystem<Void> system = cluster.node(id).system();
      TestProbe<ShardRegion.CurrentShardRegionState> probe = TestProbe.create(system);
      ClusterSharding.get(system).shardState().tell(new GetShardRegionState(GroupCoordinator.TYPE_KEY, probe.getRef()));
      if (probe.receiveMessage().getShards().stream().anyMatch(shard -> shard.getEntityIds().contains(GROUP))) {
        return id;
      }
    }
    throw new AssertionError("no node runs the coordinator of " + GROUP);
  }

  private static ConsumerGroupDescription describe(Admin admin) throws Exception {
    return admin.describeConsumerGroups(List.of(GROUP)).all().get(10, TimeUnit.SECONDS).get(GROUP);
  }
}
