package io.vltava.metadata;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Raising an internal topic's replication factor as brokers join a cluster that started smaller, as
 * Kafka's offsets topic wants three replicas: each partition with fewer replicas than
 * min(target, live brokers) gets new replicas on the live brokers holding the fewest of the topic's
 * replicas, and its preferred (first) replica becomes the one that is preferred for the fewest of the
 * topic's partitions, so leadership spreads once the new replicas are in sync. Never lowers a
 * replication factor; leaves alone a partition that is moving already or has no leader (its new
 * replicas would have no one to copy from). Pure; the controller applies the moves as reassignments.
 */
public final class ReplicationFactorRaise {
  private ReplicationFactorRaise() {}

  /** Partition {@code partition} moves from replicas {@code from} to {@code to}, which holds every one of {@code from}. */
  public record Move(int partition, List<Integer> from, List<Integer> to) {}

  /** The moves that raise {@code topicName} towards {@code targetReplicationFactor}; none when it is there or absent. */
  public static List<Move> plan(ClusterState state, String topicName, int targetReplicationFactor) {
    Optional<TopicState> topic = state.topic(topicName);
    if (topic.isEmpty()) {
      return List.of();
    }
    List<Integer> live = state.sortedBrokerIds();
    int wanted = Math.min(targetReplicationFactor, live.size());
    Map<Integer, Integer> replicasPerBroker = new HashMap<>();
    Map<Integer, Integer> preferredPerBroker = new HashMap<>();
    for (PartitionState p : topic.get().partitions()) {
      List<Integer> target = PartitionReassignment.targetReplicas(p);
      target.forEach(broker -> replicasPerBroker.merge(broker, 1, Integer::sum));
      preferredPerBroker.merge(target.get(0), 1, Integer::sum);
    }
    List<Move> moves = new ArrayList<>();
    List<PartitionState> partitions = topic.get().partitions();
    for (int partition = 0; partition < partitions.size(); partition++) {
      PartitionState p = partitions.get(partition);
      if (p.replicas().size() >= wanted || p.isReassigning() || !p.hasLeader()) {
        continue;
      }
      List<Integer> replicas = new ArrayList<>(p.replicas());
      while (replicas.size() < wanted) {
        int added = live.stream().filter(broker -> !replicas.contains(broker))
            .min(Comparator.comparingInt((Integer broker) -> replicasPerBroker.getOrDefault(broker, 0)).thenComparing(broker -> broker))
            .orElseThrow();
        replicas.add(added);
        replicasPerBroker.merge(added, 1, Integer::sum);
      }
      int current = replicas.get(0);
      preferredPerBroker.merge(current, -1, Integer::sum);
      // Ties keep the current preferred replica, so a balanced topic is not reshuffled.
      int preferred = replicas.stream()
          .min(Comparator.comparingInt((Integer broker) -> preferredPerBroker.getOrDefault(broker, 0))
              .thenComparing(broker -> broker != current)
              .thenComparing(broker -> broker))
          .orElseThrow();
      preferredPerBroker.merge(preferred, 1, Integer::sum);
      replicas.remove(Integer.valueOf(preferred));
      replicas.add(0, preferred);
      moves.add(new Move(partition, p.replicas(), List.copyOf(replicas)));
    }
    return moves;
  }

  /** The state with every move of {@code moves} started through {@link PartitionReassignment#alter}. */
  public static ClusterState apply(ClusterState state, String topicName, List<Move> moves) {
    ClusterState next = state;
    for (Move move : moves) {
      next = PartitionReassignment.alter(next, topicName, move.partition(), Optional.of(move.to()));
    }
    return next;
  }
}
