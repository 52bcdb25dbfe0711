package io.vltava.metadata;

import java.util.List;

/**
 * One partition's replication state. {@code leader} is -1 when the partition is offline.
 * {@code leaderEpoch} grows with every leader change; {@code partitionEpoch} with every change at all.
 * While a reassignment moves the partition (as Kafka's PartitionRegistration), {@code replicas} is
 * the union of the target and the original replicas, target first; {@code addingReplicas} are the
 * target's new members and {@code removingReplicas} the original members that leave once every
 * target replica is in sync. Both are empty when no reassignment is in progress.
 */
public record PartitionState(
    List<Integer> replicas, int leader, int leaderEpoch, List<Integer> isr, int partitionEpoch,
    List<Integer> addingReplicas, List<Integer> removingReplicas) {

  public static final int NO_LEADER = -1;

  public PartitionState {
    replicas = List.copyOf(replicas);
    isr = List.copyOf(isr);
    // States stored before reassignments existed have neither list.
    addingReplicas = addingReplicas == null ? List.of() : List.copyOf(addingReplicas);
    removingReplicas = removingReplicas == null ? List.of() : List.copyOf(removingReplicas);
  }

  /** A partition with no reassignment in progress. */
  public PartitionState(List<Integer> replicas, int leader, int leaderEpoch, List<Integer> isr, int partitionEpoch) {
    this(replicas, leader, leaderEpoch, isr, partitionEpoch, List.of(), List.of());
  }

  /** A new partition: the first replica leads at epoch 0 and every replica is in sync. */
  public static PartitionState initial(List<Integer> replicas) {
    return new PartitionState(replicas, replicas.get(0), 0, replicas, 0);
  }

  public boolean hasLeader() {
    return leader != NO_LEADER;
  }

  public boolean isReassigning() {
    return !addingReplicas.isEmpty() || !removingReplicas.isEmpty();
  }

  /** The same partition with another ISR, as a new partition epoch; the reassignment, if any, stays. */
  public PartitionState withIsr(List<Integer> newIsr) {
    return new PartitionState(replicas, leader, leaderEpoch, newIsr, partitionEpoch + 1, addingReplicas, removingReplicas);
  }

  /** The same partition under another leader (or none) and ISR: a new leader epoch and partition epoch. */
  public PartitionState withLeader(int newLeader, List<Integer> newIsr) {
    return new PartitionState(replicas, newLeader, leaderEpoch + 1, newIsr, partitionEpoch + 1, addingReplicas, removingReplicas);
  }
}
