package io.vltava.metadata;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;

/**
 * Kafka's rack-unaware replica assignment: leaders go round-robin over the brokers from a start
 * index, and each partition's followers follow its leader at a shift that grows every full round,
 * so replicas of consecutive partitions do not pile onto the same followers.
 */
public final class ReplicaAssignment {
  private ReplicaAssignment() {}

  /**
   * Replicas for partitions {@code firstPartition .. firstPartition+count-1} on {@code brokerIds}
   * (sorted, distinct). {@code startIndex} picks the first leader; pass a varying value (the topic
   * count, say) so topics do not all start on the same broker.
   */
  public static List<List<Integer>> assign(
      List<Integer> brokerIds, int firstPartition, int count, int replicationFactor, int startIndex) {
    int brokers = brokerIds.size();
    if (replicationFactor <= 0) {
      throw new InvalidReplicationFactorException("Replication factor must be larger than 0.");
    }
    if (replicationFactor > brokers) {
      throw new InvalidReplicationFactorException(
          "Replication factor: " + replicationFactor + " larger than available brokers: " + brokers + ".");
    }
    int firstLeaderIndex = Math.floorMod(startIndex, brokers);
    List<List<Integer>> assignment = new ArrayList<>(count);
    for (int partition = firstPartition; partition < firstPartition + count; partition++) {
      int leaderIndex = (firstLeaderIndex + partition) % brokers;
      int shift = brokers == 1 ? 0 : (firstLeaderIndex + partition / brokers) % (brokers - 1);
      List<Integer> replicas = new ArrayList<>(replicationFactor);
      replicas.add(brokerIds.get(leaderIndex));
      for (int j = 0; j < replicationFactor - 1; j++) {
        int followerIndex = (leaderIndex + 1 + (shift + j) % (brokers - 1)) % brokers;
        replicas.add(brokerIds.get(followerIndex));
      }
      assignment.add(List.copyOf(replicas));
    }
    return assignment;
  }
}
