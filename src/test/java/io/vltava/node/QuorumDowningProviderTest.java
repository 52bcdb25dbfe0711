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
  void moreNodesThanConfiguredNeedAMajorityOfThemAll() {
    // Five nodes of a cluster configured as 3 (quorum 2): a 2|3 split must not leave two clusters.
    assertEquals(DowningStrategy.DownReachable$.MODULE$, RunningQuorum.decide(2, 5, 2));
    assertEquals(DowningStrategy.DownUnreachable$.MODULE$, RunningQuorum.decide(3, 5, 2));
    assertEquals(DowningStrategy.DownReachable$.MODULE$, RunningQuorum.decide(2, 4, 2));
  }
}
