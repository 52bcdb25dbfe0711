package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vltava.node.QuorumDowningProvider.RunningQuorum;
import org.apache.pekko.cluster.sbr.DowningStrategy;
import org.junit.jupiter.api.Test;

class QuorumDowningProviderTest {
  @Test
  void aSideWithAQuorumOfRunningNodesDownsTheUnreachable() {
    // Nodes 1 and 2 (2 still joining) reach each other, node 3 died: 2 of quorum 2.
    assertEquals(DowningStrategy.DownUnreachable$.MODULE$, RunningQuorum.decide(2, 3, 2));
  }

  @Test
  void aSideWithoutAQuorumDownsItself() {
    assertEquals(DowningStrategy.DownReachable$.MODULE$, RunningQuorum.decide(1, 3, 2));
    assertEquals(DowningStrategy.DownReachable$.MODULE$, RunningQuorum.decide(2, 5, 3));
  }

  @Test
  void moreNodesThanTheQuorumCanGuardDownsAll() {
    // Four nodes with quorum 2 could split 2|2 into two clusters.
    assertEquals(DowningStrategy.DownAll$.MODULE$, RunningQuorum.decide(3, 4, 2));
  }
}
