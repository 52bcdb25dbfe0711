package io.vltava.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vltava.metadata.ClusterState;
import io.vltava.metadata.PartitionState;
import io.vltava.metadata.TopicState;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PartitionHealthTest {
  private static final PartitionState FULL_ON_1 = new PartitionState(List.of(1, 2, 3), 1, 0, List.of(1, 2, 3), 0);
  private static final PartitionState SHRUNK_ON_1 = new PartitionState(List.of(1, 2, 3), 1, 0, List.of(1, 3), 0);
  private static final PartitionState SHRUNK_ON_2 = new PartitionState(List.of(2, 1), 2, 0, List.of(2), 0);
  private static final PartitionState OFFLINE = new PartitionState(List.of(2, 3), PartitionState.NO_LEADER, 1, List.of(3), 0);
  /** Moving from [1, 2] to [3, 1]: 3 is being added, 2 removed. */
  private static final PartitionState MOVING = new PartitionState(List.of(3, 1, 2), 1, 0, List.of(1, 2), 0, List.of(3), List.of(2));

  private static ClusterState state(int controllerId) {
    return ClusterState.initial("cluster").withNewController(controllerId)
        .withTopic(new TopicState("t", UUID.randomUUID(), Map.of(), List.of(FULL_ON_1, SHRUNK_ON_1, SHRUNK_ON_2, OFFLINE, MOVING)));
  }

  @Test
  void underReplicatedCountsOnTheLeadersNodeOnly() {
    assertEquals(2, PartitionHealth.of(state(1), 1).underReplicated(), "a partition gaining a replica is under-replicated meanwhile");
    assertEquals(1, PartitionHealth.of(state(1), 2).underReplicated());
    assertEquals(0, PartitionHealth.of(state(1), 3).underReplicated());
  }

  @Test
  void offlineCountsOnTheControllersNodeOnly() {
    assertEquals(1, PartitionHealth.of(state(3), 3).offline());
    assertEquals(0, PartitionHealth.of(state(3), 1).offline());
    assertEquals(0, PartitionHealth.of(state(3), 2).offline());
  }

  @Test
  void reassigningCountsOnTheControllersNodeOnly() {
    assertEquals(1, PartitionHealth.of(state(2), 2).reassigning());
    assertEquals(0, PartitionHealth.of(state(2), 1).reassigning(), "not on the moving partition's leader");
  }
}
