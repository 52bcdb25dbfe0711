package io.vltava.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.metadata.ReplicationFactorRaise.Move;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ReplicationFactorRaiseTest {
  private static final String JOURNAL = "__vltava_journal";

  /** Brokers {@code 1..brokers} live and the journal with the given partitions. */
  private static ClusterState cluster(int brokers, PartitionState... partitions) {
    ClusterState state = ClusterState.initial("c");
    for (int id = 1; id <= brokers; id++) {
      state = state.withBroker(new BrokerInfo(id, "127.0.0.1", 9090 + id, "pekko://vltava@127.0.0.1:" + (2550 + id)));
    }
    return state.withTopic(new TopicState(JOURNAL, UUID.randomUUID(), Map.of(), List.of(partitions)));
  }

  private static PartitionState[] onBroker(int broker, int partitions) {
    PartitionState[] all = new PartitionState[partitions];
    for (int i = 0; i < partitions; i++) {
      all[i] = PartitionState.initial(List.of(broker));
    }
    return all;
  }

  @Test
  void aJournalStartedOnOneBrokerGetsEveryLiveBrokerUpToTheTargetWithPreferredLeadersSpread() {
    List<Move> moves = ReplicationFactorRaise.plan(cluster(3, onBroker(1, 8)), JOURNAL, 3);

    assertEquals(8, moves.size());
    Map<Integer, Integer> preferred = new HashMap<>();
    for (Move move : moves) {
      assertEquals(List.of(1), move.from());
      assertEquals(3, move.to().size());
      assertTrue(move.to().containsAll(List.of(1, 2, 3)), move.toString());
      preferred.merge(move.to().get(0), 1, Integer::sum);
    }
    assertEquals(Map.of(1, 3, 2, 3, 3, 2), preferred);
  }

  @Test
  void newReplicasGoToTheBrokersHoldingFewestOfTheTopic() {
    // Five brokers: each partition gains two of the four others, so each of them ends with two.
    List<Move> moves = ReplicationFactorRaise.plan(cluster(5, onBroker(1, 4)), JOURNAL, 3);

    Map<Integer, Integer> replicas = new HashMap<>();
    moves.forEach(move -> move.to().forEach(broker -> replicas.merge(broker, 1, Integer::sum)));
    assertEquals(Map.of(1, 4, 2, 2, 3, 2, 4, 2, 5, 2), replicas);
  }

  @Test
  void theTargetIsCappedByTheLiveBrokers() {
    List<Move> moves = ReplicationFactorRaise.plan(cluster(2, onBroker(1, 2)), JOURNAL, 3);

    assertEquals(List.of(new Move(0, List.of(1), List.of(2, 1)), new Move(1, List.of(1), List.of(1, 2))), moves);
  }

  @Test
  void aReplicationFactorIsNeverLowered() {
    ClusterState state = cluster(2, PartitionState.initial(List.of(1, 2, 3)));
    assertEquals(List.of(), ReplicationFactorRaise.plan(state, JOURNAL, 3));
    assertEquals(List.of(), ReplicationFactorRaise.plan(cluster(3, PartitionState.initial(List.of(1, 2, 3))), JOURNAL, 1));
  }

  @Test
  void aPartitionThatIsMovingOrHasNoLeaderIsLeftAlone() {
    PartitionState moving = new PartitionState(List.of(2, 1), 1, 0, List.of(1), 1, List.of(2), List.of(1));
    PartitionState offline = new PartitionState(List.of(1), PartitionState.NO_LEADER, 1, List.of(1), 1);
    PartitionState serving = PartitionState.initial(List.of(1));

    List<Move> moves = ReplicationFactorRaise.plan(cluster(3, moving, offline, serving), JOURNAL, 3);

    assertEquals(1, moves.size());
    assertEquals(2, moves.get(0).partition());
  }

  @Test
  void anAbsentTopicNeedsNoMoves() {
    assertEquals(List.of(), ReplicationFactorRaise.plan(cluster(3), "missing", 3));
  }

  @Test
  void appliedMovesAreReassignmentsThatCompleteOnceTheNewReplicasAreInSync() {
    ClusterState state = cluster(3, onBroker(1, 1));
    List<Move> moves = ReplicationFactorRaise.plan(state, JOURNAL, 3);

    ClusterState raised = ReplicationFactorRaise.apply(state, JOURNAL, moves);
    PartitionState moving = raised.topic(JOURNAL).orElseThrow().partitions().get(0);
    assertEquals(List.of(2, 3), moving.addingReplicas());
    assertEquals(List.of(1), moving.isr());
    assertEquals(1, moving.leader(), "the leader stays until the new replicas are in sync");

    ClusterState inSync = PartitionReassignment.completeReady(LeaderElection.changeIsr(raised, JOURNAL, 0, moving, List.of(1, 2, 3)));
    PartitionState done = inSync.topic(JOURNAL).orElseThrow().partitions().get(0);
    assertEquals(moves.get(0).to(), done.replicas());
    assertEquals(List.of(1, 2, 3), done.isr().stream().sorted().toList());
    assertEquals(List.of(), ReplicationFactorRaise.plan(inSync, JOURNAL, 3), "nothing is left to raise");
    assertFalse(done.isReassigning());
  }
}
