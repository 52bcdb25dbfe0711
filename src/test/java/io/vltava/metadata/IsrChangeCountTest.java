package io.vltava.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IsrChangeCountTest {
  private static final LeaderElection.UncleanPolicy CLEAN = topic -> false;
  private static final UUID TOPIC_ID = UUID.randomUUID();

  private static ClusterState cluster(PartitionState... partitions) {
    ClusterState state = ClusterState.initial("c");
    for (int id = 1; id <= 3; id++) {
      state = state.withBroker(new BrokerInfo(id, "127.0.0.1", 9090 + id, "pekko://vltava@127.0.0.1:" + (2550 + id)));
    }
    return state.withTopic(new TopicState("t", TOPIC_ID, Map.of(), List.of(partitions)));
  }

  @Test
  void aBrokerLostShrinksEveryPartitionWhoseIsrHeldIt() {
    ClusterState before = cluster(
        new PartitionState(List.of(1, 2, 3), 1, 0, List.of(1, 2, 3), 0),
        new PartitionState(List.of(2, 3, 1), 2, 0, List.of(2, 3), 0),
        new PartitionState(List.of(3, 1, 2), 3, 0, List.of(3, 1, 2), 0));
    ClusterState after = LeaderElection.onBrokerLost(before, 1, CLEAN);
    assertEquals(new IsrChangeCount(2, 0), IsrChangeCount.between(before, after));
  }

  @Test
  void aReturningReplicaExpandsAndASwapCountsAsBoth() {
    ClusterState before = cluster(
        new PartitionState(List.of(1, 2, 3), 1, 0, List.of(1, 2), 0),
        new PartitionState(List.of(1, 2, 3), 1, 0, List.of(1, 2), 0),
        new PartitionState(List.of(1, 2, 3), 1, 0, List.of(1, 2), 0));
    ClusterState after = cluster(
        new PartitionState(List.of(1, 2, 3), 1, 0, List.of(1, 2, 3), 1),
        new PartitionState(List.of(1, 2, 3), 1, 0, List.of(1, 3), 1),
        new PartitionState(List.of(1, 2, 3), 1, 0, List.of(1, 2), 0));
    assertEquals(new IsrChangeCount(1, 2), IsrChangeCount.between(before, after));
  }

  @Test
  void createdAndDeletedTopicsChangeNoIsr() {
    ClusterState before = cluster(new PartitionState(List.of(1, 2), 1, 0, List.of(1, 2), 0));
    ClusterState recreated = before.withoutTopic("t")
        .withTopic(new TopicState("t", UUID.randomUUID(), Map.of(), List.of(new PartitionState(List.of(1), 1, 0, List.of(1), 0))));
    assertEquals(IsrChangeCount.NONE, IsrChangeCount.between(before, recreated));
    assertEquals(IsrChangeCount.NONE, IsrChangeCount.between(before, before.withoutTopic("t")));
    assertEquals(IsrChangeCount.NONE, IsrChangeCount.between(ClusterState.empty(), before));
  }
}
