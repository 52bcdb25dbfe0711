package io.vltava.replica;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.metadata.PartitionState;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicaChoresTest {
  private static final int SELF = 1;

  @Test
  void aLeaderAloneHasNoIsrToCheck() {
    PartitionState alone = new PartitionState(List.of(SELF), SELF, 0, List.of(SELF), 0);
    assertFalse(ReplicaChores.needsIsrCheck(alone, true, SELF, false), "replication factor 1");
    assertTrue(ReplicaChores.needsIsrCheck(alone, true, SELF, true), "unless its status is still to be reported");
  }

  @Test
  void aLeaderWithFollowersChecksItsIsrInSyncOrNot() {
    PartitionState allInSync = new PartitionState(List.of(SELF, 2, 3), SELF, 0, List.of(SELF, 2, 3), 0);
    PartitionState oneOut = new PartitionState(List.of(SELF, 2), SELF, 1, List.of(SELF), 1);
    assertTrue(ReplicaChores.needsIsrCheck(allInSync, true, SELF, false), "a follower may fall behind");
    assertTrue(ReplicaChores.needsIsrCheck(oneOut, true, SELF, false), "a follower may catch up and rejoin");
  }

  @Test
  void aLeaderWhoseIsrStillNamesARemovedReplicaChecksIt() {
    PartitionState moved = new PartitionState(List.of(SELF), SELF, 2, List.of(SELF, 4), 3);
    assertTrue(ReplicaChores.needsIsrCheck(moved, true, SELF, false));
  }

  @Test
  void aFollowerOrAResignedLeaderChecksNothingUnlessItsStatusIsUnreported() {
    PartitionState ledElsewhere = new PartitionState(List.of(2, SELF), 2, 0, List.of(2, SELF), 0);
    PartitionState ledHere = new PartitionState(List.of(SELF, 2), SELF, 0, List.of(SELF, 2), 0);
    assertFalse(ReplicaChores.needsIsrCheck(ledElsewhere, false, SELF, false));
    assertFalse(ReplicaChores.needsIsrCheck(ledHere, false, SELF, false), "resigned: the node is stopping");
    assertTrue(ReplicaChores.needsIsrCheck(ledElsewhere, false, SELF, true));
  }

  @Test
  void onlyAMovedHighWatermarkIsCheckpointed() {
    assertFalse(ReplicaChores.needsHighWatermarkCheckpoint(42, 42));
    assertTrue(ReplicaChores.needsHighWatermarkCheckpoint(43, 42));
    assertTrue(ReplicaChores.needsHighWatermarkCheckpoint(40, 42), "cut below the checkpoint by a truncation");
  }
}
