package io.vltava.metadata;

import java.util.List;

/**
 * One partition's replication state. {@code leader} is -1 when the partition is offline.
 * {@code leaderEpoch} grows with every leader change; {@code partitionEpoch} with every change at all.
 */
public record PartitionState(
    List<Integer> replicas, int leader, int leaderEpoch, List<Integer> isr, int partitionEpoch) {

  public static final int NO_LEADER = -1;

  public PartitionState {
    replicas = List.copyOf(replicas);
    isr = List.copyOf(isr);
  }

  /** A new partition: the first replica leads at epoch 0 and every replica is in sync. */
  public static PartitionState initial(List<Integer> replicas) {
    return new PartitionState(replicas, replicas.get(0), 0, replicas, 0);
  }

  public boolean hasLeader() {
    return leader != NO_LEADER;
  }
}
