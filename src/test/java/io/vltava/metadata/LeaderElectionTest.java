package io.vltava.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.IneligibleReplicaException;
import org.apache.kafka.common.errors.InvalidUpdateVersionException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

class LeaderElectionTest {
  private static final LeaderElection.UncleanPolicy CLEAN = topic -> false;
  private static final LeaderElection.UncleanPolicy UNCLEAN = topic -> true;

  private static ClusterState cluster(PartitionState... partitions) {
    ClusterState state = ClusterState.initial("c");
    for (int id = 1; id <= 3; id++) {
      state = state.withBroker(new BrokerInfo(id, "127.0.0.1", 9090 + id, "pekko://vltava@127.0.0.1:" + (2550 + id)));
    }
    return state.withTopic(new TopicState("t", UUID.randomUUID(), Map.of(), List.of(partitions)));
  }

  private static PartitionState partition(ClusterState state, int index) {
    return state.topic("t").orElseThrow().partitions().get(index);
  }

  @Test
  void aLostLeaderIsReplacedByTheNextInSyncReplicaWithAHigherEpoch() {
    ClusterState state = cluster(new PartitionState(List.of(1, 2, 3), 1, 4, List.of(1, 2, 3), 7));
    PartitionState after = partition(LeaderElection.onBrokerLost(state, 1, CLEAN), 0);
    assertEquals(2, after.leader());
    assertEquals(5, after.leaderEpoch());
    assertEquals(List.of(2, 3), after.isr());
  }

  @Test
  void anOutOfSyncReplicaIsNeverChosenUnlessUncleanElectionIsOn() {
    ClusterState state = cluster(new PartitionState(List.of(1, 2, 3), 1, 0, List.of(1), 0));
    PartitionState clean = partition(LeaderElection.onBrokerLost(state, 1, CLEAN), 0);
    assertEquals(PartitionState.NO_LEADER, clean.leader());
    assertEquals(List.of(1), clean.isr(), "the last in-sync replica stays in the ISR");

    PartitionState unclean = partition(LeaderElection.onBrokerLost(state, 1, UNCLEAN), 0);
    assertEquals(2, unclean.leader());
    assertEquals(List.of(2), unclean.isr());
  }

  @Test
  void theLastInSyncReplicaLeadsAgainWhenItReturns() {
    ClusterState lost = LeaderElection.onBrokerLost(cluster(new PartitionState(List.of(3), 3, 2, List.of(3), 2)), 3, CLEAN);
    assertEquals(PartitionState.NO_LEADER, partition(lost, 0).leader());
    ClusterState back = LeaderElection.onBrokerRegistered(
        lost.withBroker(new BrokerInfo(3, "127.0.0.1", 9093, "pekko://vltava@127.0.0.1:2553")), 3, CLEAN);
    assertEquals(3, partition(back, 0).leader());
    assertEquals(4, partition(back, 0).leaderEpoch());
  }

  @Test
  void thePreferredReplicaRegainsLeadershipOnceInSync() {
    ClusterState state = cluster(new PartitionState(List.of(1, 2, 3), 2, 5, List.of(2, 3), 9));
    assertEquals(2, partition(LeaderElection.restorePreferredLeaders(state), 0).leader(), "not in sync yet");
    ClusterState rejoined = LeaderElection.changeIsr(state, "t", 0, partition(state, 0), List.of(2, 3, 1));
    PartitionState restored = partition(LeaderElection.restorePreferredLeaders(rejoined), 0);
    assertEquals(1, restored.leader());
    assertEquals(6, restored.leaderEpoch());
  }

  @Test
  void anIsrChangeFromADeposedLeaderIsFenced() {
    ClusterState state = cluster(new PartitionState(List.of(1, 2, 3), 2, 5, List.of(1, 2, 3), 9));
    assertThrows(FencedLeaderEpochException.class, () -> LeaderElection.changeIsr(
        state, "t", 0, new PartitionState(List.of(1, 2, 3), 1, 4, List.of(1, 2, 3), 8), List.of(1)));
    assertThrows(FencedLeaderEpochException.class, () -> LeaderElection.changeIsr(
        state, "t", 0, new PartitionState(List.of(1, 2, 3), 2, 4, List.of(1, 2, 3), 8), List.of(2)));
    PartitionState shrunk = partition(LeaderElection.changeIsr(state, "t", 0, partition(state, 0), List.of(2, 3)), 0);
    assertEquals(List.of(2, 3), shrunk.isr());
    assertEquals(10, shrunk.partitionEpoch());
  }

  @Test
  void aBrokerThatIsNotAliveCannotJoinTheIsr() {
    ClusterState lost = LeaderElection.onBrokerLost(cluster(new PartitionState(List.of(1, 2, 3), 2, 5, List.of(2, 1, 3), 9)), 1, CLEAN);
    lost = LeaderElection.onBrokerLost(lost, 3, CLEAN);
    PartitionState alone = partition(lost, 0);
    assertEquals(List.of(2), alone.isr());
    // The leader still holds broker 1's last position, caught up when it was lost.
    ClusterState finalLost = lost;
    assertThrows(IneligibleReplicaException.class, () -> LeaderElection.changeIsr(finalLost, "t", 0, alone, List.of(2, 1)));
    ClusterState back = lost.withBroker(new BrokerInfo(1, "127.0.0.1", 9091, "pekko://vltava@127.0.0.1:2551"));
    assertEquals(List.of(2, 1), partition(LeaderElection.changeIsr(back, "t", 0, alone, List.of(2, 1)), 0).isr());
  }

  @Test
  void anIsrChangeMadeFromAnOlderPartitionStateIsRefused() {
    PartitionState seenByLeader = new PartitionState(List.of(1, 2, 3), 2, 5, List.of(1, 2), 9);
    // Meanwhile broker 1 was lost; the leader's proposal to add 3 must not bring 1 back.
    ClusterState lost = LeaderElection.onBrokerLost(cluster(seenByLeader), 1, CLEAN);
    assertEquals(List.of(2), partition(lost, 0).isr());
    assertThrows(InvalidUpdateVersionException.class, () -> LeaderElection.changeIsr(lost, "t", 0, seenByLeader, List.of(1, 2, 3)));
    assertEquals(List.of(2, 3), partition(LeaderElection.changeIsr(lost, "t", 0, partition(lost, 0), List.of(2, 3)), 0).isr());
  }

  @Test
  void anOfflineLeaderHandsLeadershipToTheNextInSyncReplicaAndLeavesTheIsr() {
    ClusterState state = cluster(new PartitionState(List.of(1, 2, 3), 1, 4, List.of(1, 2, 3), 7));
    PartitionState after = partition(LeaderElection.onReplicaOffline(state, "t", 0, 1, CLEAN), 0);
    assertEquals(2, after.leader());
    assertEquals(5, after.leaderEpoch());
    assertEquals(List.of(2, 3), after.isr());
    assertEquals(List.of(1, 2, 3), after.replicas(), "the replica stays assigned");
  }

  @Test
  void anOfflineFollowerLeavesTheIsrAndTheLeaderStays() {
    ClusterState state = cluster(new PartitionState(List.of(1, 2, 3), 1, 4, List.of(1, 2, 3), 7));
    PartitionState after = partition(LeaderElection.onReplicaOffline(state, "t", 0, 3, CLEAN), 0);
    assertEquals(1, after.leader());
    assertEquals(4, after.leaderEpoch());
    assertEquals(List.of(1, 2), after.isr());
    assertEquals(8, after.partitionEpoch());
    ClusterState outOfSync = cluster(new PartitionState(List.of(1, 2, 3), 1, 4, List.of(1, 2), 7));
    assertSame(outOfSync, LeaderElection.onReplicaOffline(outOfSync, "t", 0, 3, CLEAN), "nothing to change");
  }

  @Test
  void theLastInSyncReplicaOfflineTakesThePartitionOfflineUntilItIsBack() {
    ClusterState state = cluster(new PartitionState(List.of(1, 2, 3), 1, 4, List.of(1), 7));
    ClusterState offline = LeaderElection.onReplicaOffline(state, "t", 0, 1, CLEAN);
    assertEquals(PartitionState.NO_LEADER, partition(offline, 0).leader());
    assertEquals(List.of(1), partition(offline, 0).isr(), "it holds everything committed");
    assertEquals(PartitionState.NO_LEADER, partition(LeaderElection.restorePreferredLeaders(offline), 0).leader(),
        "an offline preferred replica is not restored as leader");
    assertEquals(PartitionState.NO_LEADER, partition(LeaderElection.onReplicaOnline(offline, "t", 0, 2, CLEAN), 0).leader(),
        "an out-of-sync replica coming back does not lead, nor elects the offline one");
    PartitionState back = partition(LeaderElection.onReplicaOnline(offline, "t", 0, 1, CLEAN), 0);
    assertEquals(1, back.leader());
    assertEquals(6, back.leaderEpoch());

    PartitionState unclean = partition(LeaderElection.onReplicaOffline(state, "t", 0, 1, UNCLEAN), 0);
    assertEquals(2, unclean.leader(), "unclean election picks a live replica other than the offline one");
    assertEquals(List.of(2), unclean.isr());
  }

  @Test
  void aReplicaBackOnlineChangesNothingWhileThePartitionHasALeader() {
    ClusterState state = cluster(new PartitionState(List.of(1, 2, 3), 2, 5, List.of(2, 3), 9));
    assertSame(state, LeaderElection.onReplicaOnline(state, "t", 0, 1, CLEAN));
  }

  @Test
  void aReportFromABrokerWithoutAReplicaOrForAnUnknownPartitionIsRefused() {
    ClusterState state = cluster(new PartitionState(List.of(1, 2), 1, 0, List.of(1, 2), 0));
    assertThrows(NotLeaderOrFollowerException.class, () -> LeaderElection.onReplicaOffline(state, "t", 0, 3, CLEAN));
    assertThrows(UnknownTopicOrPartitionException.class, () -> LeaderElection.onReplicaOffline(state, "t", 1, 1, CLEAN));
    assertThrows(UnknownTopicOrPartitionException.class, () -> LeaderElection.onReplicaOffline(state, "gone", 0, 1, CLEAN));
  }
}
