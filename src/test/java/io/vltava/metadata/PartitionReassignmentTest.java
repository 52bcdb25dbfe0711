package io.vltava.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.NoReassignmentInProgressException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

class PartitionReassignmentTest {
  private static final LeaderElection.UncleanPolicy CLEAN = topic -> false;

  /** Brokers 1..5 live, topic "t" with the given partitions. */
  private static ClusterState cluster(PartitionState... partitions) {
    ClusterState state = ClusterState.initial("c");
    for (int id = 1; id <= 5; id++) {
      state = state.withBroker(new BrokerInfo(id, "127.0.0.1", 9090 + id, "pekko://vltava@127.0.0.1:" + (2550 + id)));
    }
    return state.withTopic(new TopicState("t", UUID.randomUUID(), Map.of(), List.of(partitions)));
  }

  private static PartitionState partition(ClusterState state) {
    return state.topic("t").orElseThrow().partitions().get(0);
  }

  private static ClusterState reassign(ClusterState state, Integer... target) {
    return PartitionReassignment.alter(state, "t", 0, Optional.of(List.of(target)));
  }

  /** The leader admits {@code isr} (the ordinary ISR path), then the controller completes what is ready. */
  private static ClusterState isrBecomes(ClusterState state, Integer... isr) {
    PartitionState p = partition(state);
    return PartitionReassignment.completeReady(LeaderElection.changeIsr(state, "t", 0, p, List.of(isr)));
  }

  @Test
  void aMoveAddsTheTargetFirstAndKeepsLeaderAndIsrUntilTheNewReplicaIsInSync() {
    ClusterState state = reassign(cluster(new PartitionState(List.of(1, 2, 3), 1, 4, List.of(1, 2, 3), 7)), 4, 2, 3);
    PartitionState moving = partition(state);
    assertEquals(List.of(4, 2, 3, 1), moving.replicas());
    assertEquals(List.of(4), moving.addingReplicas());
    assertEquals(List.of(1), moving.removingReplicas());
    assertEquals(List.of(1, 2, 3), moving.isr());
    assertEquals(1, moving.leader());
    assertEquals(4, moving.leaderEpoch());
    assertEquals(8, moving.partitionEpoch());
    // As in Kafka, the original replicas are the union without the adding ones: their order is not kept.
    assertEquals(List.of(2, 3, 1), PartitionReassignment.originalReplicas(moving));
    assertEquals(List.of(4, 2, 3), PartitionReassignment.targetReplicas(moving));
  }

  @Test
  void whenTheLastTargetReplicaJoinsTheLeavingLeaderHandsOverAndTheRemovedReplicaLeaves() {
    ClusterState state = reassign(cluster(new PartitionState(List.of(1, 2, 3), 1, 4, List.of(1, 2, 3), 7)), 4, 5, 3);
    state = isrBecomes(state, 1, 2, 3, 4);
    assertEquals(List.of(4, 5), partition(state).addingReplicas(), "5 is not in sync yet");
    assertEquals(1, partition(state).leader());
    assertEquals(List.of(1, 2, 3, 4), partition(state).isr());

    state = isrBecomes(state, 1, 2, 3, 4, 5);
    PartitionState done = partition(state);
    assertEquals(List.of(4, 5, 3), done.replicas());
    assertEquals(List.of(3, 4, 5), done.isr());
    assertEquals(4, done.leader(), "the first target replica in sync leads");
    assertEquals(5, done.leaderEpoch());
    assertFalse(done.isReassigning());
    assertEquals(11, done.partitionEpoch(), "the ISR change and the completion each bump it");
  }

  @Test
  void raisingTheReplicationFactorKeepsTheLeaderAndItsEpoch() {
    ClusterState state = reassign(cluster(new PartitionState(List.of(2), 2, 3, List.of(2), 3)), 2, 1, 3);
    assertEquals(List.of(1, 3), partition(state).addingReplicas());
    assertEquals(List.of(), partition(state).removingReplicas());
    state = isrBecomes(state, 2, 3, 1);
    PartitionState done = partition(state);
    assertEquals(List.of(2, 1, 3), done.replicas());
    assertEquals(List.of(2, 3, 1), done.isr());
    assertEquals(2, done.leader());
    assertEquals(3, done.leaderEpoch());
  }

  @Test
  void aTargetAlreadyInSyncCompletesAtOnce() {
    ClusterState state = reassign(cluster(new PartitionState(List.of(1, 2, 3), 1, 4, List.of(1, 2, 3), 7)), 2, 3);
    PartitionState done = partition(state);
    assertEquals(List.of(2, 3), done.replicas());
    assertEquals(List.of(2, 3), done.isr());
    assertEquals(2, done.leader());
    assertEquals(5, done.leaderEpoch());
    assertFalse(done.isReassigning());
  }

  @Test
  void theSameReplicasChangeNothing() {
    ClusterState state = cluster(new PartitionState(List.of(1, 2, 3), 1, 4, List.of(1, 2, 3), 7));
    assertSame(state, reassign(state, 1, 2, 3));
  }

  @Test
  void cancellingRevertsToTheOriginalReplicasAndDropsTheAddedOnesFromTheIsr() {
    ClusterState state = reassign(cluster(new PartitionState(List.of(1, 2, 3), 1, 4, List.of(1, 2, 3), 7)), 4, 5, 3);
    state = isrBecomes(state, 1, 2, 3, 4);
    PartitionState cancelled = partition(PartitionReassignment.alter(state, "t", 0, Optional.empty()));
    assertEquals(List.of(3, 1, 2), cancelled.replicas());
    assertEquals(List.of(1, 2, 3), cancelled.isr());
    assertEquals(1, cancelled.leader());
    assertFalse(cancelled.isReassigning());
  }

  @Test
  void cancellingMovesLeadershipOffAnAddedReplicaThatLeads() {
    ClusterState state = reassign(cluster(new PartitionState(List.of(1, 2, 3), 1, 4, List.of(1, 2, 3), 7)), 4, 5, 3);
    state = isrBecomes(state, 1, 2, 3, 4);
    state = LeaderElection.onBrokerLost(state, 1, CLEAN); // 2 leads now
    state = LeaderElection.onBrokerLost(state, 2, CLEAN); // 3 leads now
    state = LeaderElection.onBrokerLost(state, 3, CLEAN); // only 4 is left in sync, and leads
    assertEquals(4, partition(state).leader());
    assertEquals(List.of(4), partition(state).isr());
    ClusterState finalState = state;
    assertThrows(InvalidReplicaAssignmentException.class, () -> PartitionReassignment.alter(finalState, "t", 0, Optional.empty()),
        "no original replica is in sync: reverting would lose records");
  }

  @Test
  void aNewTargetReplacesTheMoveInProgressFromTheOriginalReplicas() {
    ClusterState state = reassign(cluster(new PartitionState(List.of(1, 2, 3), 1, 4, List.of(1, 2, 3), 7)), 4, 2, 3);
    state = isrBecomes(state, 1, 2, 3); // no change yet
    state = reassign(state, 5, 2, 3);
    PartitionState moving = partition(state);
    assertEquals(List.of(5, 2, 3, 1), moving.replicas());
    assertEquals(List.of(5), moving.addingReplicas());
    assertEquals(List.of(1), moving.removingReplicas());
  }

  @Test
  void aReplacedMovesAddedReplicaLeavesTheIsr() {
    ClusterState state = reassign(cluster(new PartitionState(List.of(1, 2, 3), 1, 4, List.of(1, 2, 3), 7)), 4, 5, 3);
    state = isrBecomes(state, 1, 2, 3, 4);
    state = reassign(state, 1, 2, 5);
    assertEquals(List.of(1, 2, 5, 3), partition(state).replicas());
    assertEquals(List.of(1, 2, 3), partition(state).isr());
  }

  @Test
  void aLeavingLeaderStaysUntilALiveTargetReplicaInSyncCanTakeOver() {
    ClusterState state = reassign(cluster(new PartitionState(List.of(1, 2), 1, 0, List.of(1, 2), 0)), 4, 5);
    state = isrBecomes(state, 1, 2, 4, 5);
    assertEquals(List.of(4, 5), partition(state).replicas());
    assertEquals(4, partition(state).leader());

    // Both target replicas in sync, but their brokers are gone: the move cannot finish, and the leader stays.
    ClusterState stalled = reassign(cluster(new PartitionState(List.of(1, 2), 1, 0, List.of(1, 2), 0)), 4, 5);
    PartitionState moving = partition(stalled);
    stalled = stalled.withTopic(stalled.topic("t").orElseThrow().withPartitions(List.of(moving.withIsr(List.of(1, 2, 4, 5)))))
        .withoutBroker(4).withoutBroker(5);
    PartitionState stuck = partition(PartitionReassignment.completeReady(stalled));
    assertEquals(1, stuck.leader());
    assertEquals(List.of(4, 5), stuck.addingReplicas());
  }

  @Test
  void isrChangesAndElectionsKeepTheReassignment() {
    ClusterState state = reassign(cluster(new PartitionState(List.of(1, 2, 3), 1, 4, List.of(1, 2, 3), 7)), 4, 5, 3);
    state = LeaderElection.onBrokerLost(state, 1, CLEAN);
    PartitionState p = partition(state);
    assertEquals(3, p.leader(), "the first in-sync replica of the union [4, 5, 3, 1, 2]");
    assertEquals(List.of(4, 5), p.addingReplicas());
    assertEquals(List.of(1, 2), p.removingReplicas());
    assertEquals(List.of(4, 5), partition(LeaderElection.changeIsr(state, "t", 0, p, List.of(3, 2))).addingReplicas());
  }

  @Test
  void thePreferredLeaderIsNotRestoredWhileAMoveIsInProgress() {
    ClusterState state = reassign(cluster(new PartitionState(List.of(1, 2, 3), 1, 4, List.of(1, 2, 3), 7)), 4, 5, 3);
    state = isrBecomes(state, 1, 2, 3, 4);
    assertEquals(1, partition(LeaderElection.restorePreferredLeaders(state)).leader());
  }

  @Test
  void badTargetsAreRefused() {
    ClusterState state = cluster(new PartitionState(List.of(1, 2, 3), 1, 4, List.of(1, 2, 3), 7));
    assertThrows(InvalidReplicaAssignmentException.class, () -> reassign(state));
    assertThrows(InvalidReplicaAssignmentException.class, () -> reassign(state, 1, 1, 2));
    assertThrows(InvalidReplicaAssignmentException.class, () -> reassign(state, 1, 2, 9));
    assertThrows(UnknownTopicOrPartitionException.class, () -> PartitionReassignment.alter(state, "t", 1, Optional.of(List.of(1))));
    assertThrows(UnknownTopicOrPartitionException.class, () -> PartitionReassignment.alter(state, "u", 0, Optional.of(List.of(1))));
    assertThrows(NoReassignmentInProgressException.class, () -> PartitionReassignment.alter(state, "t", 0, Optional.empty()));
  }
}
