package io.vltava.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.junit.jupiter.api.Test;

class ReplicaAssignmentTest {

  @Test
  void replicasAreDistinctAndLeadersSpreadEvenly() {
    List<List<Integer>> assignment = ReplicaAssignment.assign(List.of(1, 2, 3), 0, 6, 3, 0);
    Map<Integer, Integer> leaders = new HashMap<>();
    for (List<Integer> replicas : assignment) {
      assertEquals(3, new HashSet<>(replicas).size());
      leaders.merge(replicas.get(0), 1, Integer::sum);
    }
    assertEquals(Map.of(1, 2, 2, 2, 3, 2), leaders);
  }

  @Test
  void tooFewBrokersForTheReplicationFactorIsRefused() {
    assertThrows(InvalidReplicationFactorException.class, () -> ReplicaAssignment.assign(List.of(1, 2), 0, 1, 3, 0));
    assertThrows(InvalidReplicationFactorException.class, () -> ReplicaAssignment.assign(List.of(1, 2), 0, 1, 0, 0));
  }

  @Test
  void newPartitionsContinueTheRoundRobin() {
    List<List<Integer>> first = ReplicaAssignment.assign(List.of(1, 2, 3), 0, 2, 1, 0);
    List<List<Integer>> more = ReplicaAssignment.assign(List.of(1, 2, 3), 2, 1, 1, 0);
    assertEquals(List.of(List.of(1), List.of(2)), first);
    assertEquals(List.of(List.of(3)), more);
  }
}
