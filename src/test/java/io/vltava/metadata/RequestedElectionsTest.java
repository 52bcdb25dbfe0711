package io.vltava.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vltava.metadata.RequestedElections.Outcome;
import io.vltava.metadata.RequestedElections.PartitionId;
import io.vltava.metadata.RequestedElections.Type;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class RequestedElectionsTest {

  /** Brokers 1..3 alive unless listed in {@code dead}; topic "t" with these partitions. */
  private static ClusterState cluster(List<Integer> dead, PartitionState... partitions) {
    ClusterState state = ClusterState.initial("c");
    for (int id = 1; id <= 3; id++) {
      if (!dead.contains(id)) {
        state = state.withBroker(new BrokerInfo(id, "127.0.0.1", 9090 + id, "pekko://vltava@127.0.0.1:" + (2550 + id)));
      }
    }
    return state.withTopic(new TopicState("t", UUID.randomUUID(), Map.of(), List.of(partitions)));
  }

  private static RequestedElections.Result elect(ClusterState state, Type type, int... partitions) {
    List<PartitionId> ids = java.util.Arrays.stream(partitions).mapToObj(p -> new PartitionId("t", p)).toList();
    return RequestedElections.elect(state, type, Optional.of(ids));
  }

  private static PartitionState partition(ClusterState state, int index) {
    return state.topic("t").orElseThrow().partitions().get(index);
  }

  private static Errors error(Outcome outcome) {
    return Errors.forCode(outcome.errorCode());
  }

  @Test
  void preferredElectionMovesLeadershipToTheFirstReplicaWhenItIsAliveAndInSync() {
    ClusterState state = cluster(List.of(), new PartitionState(List.of(1, 2, 3), 2, 4, List.of(2, 3, 1), 9));
    RequestedElections.Result result = elect(state, Type.PREFERRED, 0);
    assertEquals(List.of(new Outcome("t", 0, (short) 0, null)), result.outcomes());
    assertEquals(new PartitionState(List.of(1, 2, 3), 1, 5, List.of(2, 3, 1), 10), partition(result.state(), 0));
    assertEquals(state.version() + 1, result.state().version());
  }

  @Test
  void preferredElectionIsNotNeededWhenTheFirstReplicaLeads() {
    ClusterState state = cluster(List.of(), new PartitionState(List.of(1, 2, 3), 1, 4, List.of(1, 2, 3), 9));
    RequestedElections.Result result = elect(state, Type.PREFERRED, 0);
    assertSame(state, result.state());
    assertEquals(Errors.ELECTION_NOT_NEEDED, error(result.outcomes().get(0)));
  }

  @Test
  void preferredElectionFailsWhenTheFirstReplicaIsDeadOrOutOfSync() {
    ClusterState dead = cluster(List.of(1), new PartitionState(List.of(1, 2, 3), 2, 4, List.of(2, 3, 1), 9));
    Outcome notAlive = elect(dead, Type.PREFERRED, 0).outcomes().get(0);
    assertEquals(Errors.PREFERRED_LEADER_NOT_AVAILABLE, error(notAlive));
    assertEquals("t-0: the preferred replica 1 is not alive.", notAlive.errorMessage());

    ClusterState outOfSync = cluster(List.of(), new PartitionState(List.of(1, 2, 3), 2, 4, List.of(2, 3), 9));
    RequestedElections.Result result = elect(outOfSync, Type.PREFERRED, 0);
    assertEquals(Errors.PREFERRED_LEADER_NOT_AVAILABLE, error(result.outcomes().get(0)));
    assertSame(outOfSync, result.state());
  }

  @Test
  void uncleanElectionPrefersALiveInSyncReplica() {
    // Leaderless, yet broker 3 is in sync and alive (it was not live when the leader was lost).
    ClusterState state = cluster(List.of(1), new PartitionState(List.of(1, 2, 3), -1, 4, List.of(1, 3), 9));
    PartitionState after = partition(elect(state, Type.UNCLEAN, 0).state(), 0);
    assertEquals(3, after.leader());
    assertEquals(List.of(1, 3), after.isr(), "a clean choice keeps the ISR");
  }

  @Test
  void uncleanElectionElectsAnOutOfSyncLiveReplicaOnlyWhenNoInSyncOneIsAlive() {
    ClusterState state = cluster(List.of(1), new PartitionState(List.of(1, 2, 3), -1, 4, List.of(1), 9));
    RequestedElections.Result result = elect(state, Type.UNCLEAN, 0);
    assertEquals(Errors.NONE, error(result.outcomes().get(0)));
    assertEquals(new PartitionState(List.of(1, 2, 3), 2, 5, List.of(2), 10), partition(result.state(), 0));
  }

  @Test
  void uncleanElectionIsNotNeededWithALeaderAndImpossibleWithNoLiveReplica() {
    ClusterState led = cluster(List.of(), new PartitionState(List.of(1, 2), 2, 4, List.of(2), 9));
    assertEquals(Errors.ELECTION_NOT_NEEDED, error(elect(led, Type.UNCLEAN, 0).outcomes().get(0)));

    ClusterState allDead = cluster(List.of(1, 2), new PartitionState(List.of(1, 2), -1, 4, List.of(1), 9));
    RequestedElections.Result result = elect(allDead, Type.UNCLEAN, 0);
    assertEquals(Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE, error(result.outcomes().get(0)));
    assertSame(allDead, result.state());
  }

  @Test
  void unknownTopicsAndPartitionsAreReportedAsSuch() {
    ClusterState state = cluster(List.of(), new PartitionState(List.of(1, 2, 3), 1, 0, List.of(1, 2, 3), 0));
    RequestedElections.Result result = RequestedElections.elect(state, Type.PREFERRED,
        Optional.of(List.of(new PartitionId("t", 1), new PartitionId("missing", 0), new PartitionId("t", -1))));
    assertEquals(List.of(Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.UNKNOWN_TOPIC_OR_PARTITION),
        result.outcomes().stream().map(RequestedElectionsTest::error).toList());
  }

  @Test
  void electingEveryPartitionReportsOnlyThoseThatNeededAnElection() {
    ClusterState state = cluster(List.of(3),
        new PartitionState(List.of(1, 2, 3), 1, 0, List.of(1, 2), 0),   // already preferred: left out
        new PartitionState(List.of(2, 1, 3), 1, 3, List.of(1, 2), 5),   // moves to 2
        new PartitionState(List.of(3, 1, 2), 1, 2, List.of(1, 2), 4));  // 3 is dead
    RequestedElections.Result result = RequestedElections.elect(state, Type.PREFERRED, Optional.empty());
    assertEquals(List.of(new Outcome("t", 1, (short) 0, null),
            new Outcome("t", 2, Errors.PREFERRED_LEADER_NOT_AVAILABLE.code(), "t-2: the preferred replica 3 is not alive.")),
        result.outcomes());
    assertEquals(1, partition(result.state(), 0).leader());
    assertEquals(2, partition(result.state(), 1).leader());
    assertEquals(1, partition(result.state(), 2).leader());
  }
}
