package io.vltava.metadata;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.NoReassignmentInProgressException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Moving a partition to other brokers, as Kafka's KIP-455 does it: the partition first grows to
 * the union of its original and target replicas, the new ones (adding) fetch from the leader and
 * join the ISR by the ordinary ISR path, and once every target replica is in sync the partition
 * shrinks to the target: the leaving replicas (removing) drop out of replicas and ISR, and if the
 * leader is one of them a target replica in the ISR takes over. A cancel goes back to the original
 * replicas. The ISR never gains a replica here, and a leader is only ever chosen from the ISR, so
 * every acknowledged record survives each step. Pure functions of the state; the controller applies them.
 */
public final class PartitionReassignment {
  private PartitionReassignment() {}

  /** The replicas the partition had before the reassignment (all of them when none is in progress). */
  public static List<Integer> originalReplicas(PartitionState p) {
    return without(p.replicas(), p.addingReplicas());
  }

  /** The replicas the partition will have once the reassignment completes (all of them when none is in progress). */
  public static List<Integer> targetReplicas(PartitionState p) {
    return without(p.replicas(), p.removingReplicas());
  }

  /**
   * Starts moving {@code partition} to {@code target}, replacing any reassignment in progress (the
   * new one starts from the original replicas), or with an empty target cancels the one in progress.
   * Completes at once when the target is already in sync (a replica set that only shrinks or reorders).
   */
  public static ClusterState alter(ClusterState state, String topicName, int partition, Optional<List<Integer>> target) {
    TopicState topic = state.requireTopic(topicName);
    PartitionState current = partitionOf(state, topicName, partition);
    Set<Integer> live = state.brokers().keySet();
    PartitionState next;
    if (target.isEmpty()) {
      if (!current.isReassigning()) {
        throw new NoReassignmentInProgressException("No reassignment of " + topicName + "-" + partition + " is in progress.");
      }
      next = moveTo(current, originalReplicas(current), live);
    } else {
      validate(target.get(), live);
      next = moveTo(current, target.get(), live);
    }
    return next.equals(current) ? state : state.withTopic(withPartition(topic, partition, next));
  }

  /** Throws unless the partition's original replicas number {@code replicationFactor} (a request that may not change it). */
  public static void requireReplicationFactor(ClusterState state, String topicName, int partition, int replicationFactor) {
    int current = originalReplicas(partitionOf(state, topicName, partition)).size();
    if (current != replicationFactor) {
      throw new InvalidReplicaAssignmentException("The request may not change the replication factor of " + topicName + "-" + partition
          + " from " + current + " to " + replicationFactor + ".");
    }
  }

  /** Completes every reassignment whose target replicas are all in sync. */
  public static ClusterState completeReady(ClusterState state) {
    Set<Integer> live = state.brokers().keySet();
    Map<String, TopicState> topics = new HashMap<>(state.topics());
    state.topics().forEach((name, topic) -> {
      List<PartitionState> partitions = new ArrayList<>(topic.partitions());
      boolean changed = false;
      for (int i = 0; i < partitions.size(); i++) {
        PartitionState completed = completeIfReady(partitions.get(i), live);
        changed |= completed != partitions.get(i);
        partitions.set(i, completed);
      }
      if (changed) {
        topics.put(name, topic.withPartitions(partitions));
      }
    });
    return state.withTopics(topics);
  }

  /**
   * The partition moving from its original replicas to {@code target}: the union, target first (so
   * the target's first replica becomes the preferred leader), and an ISR without the replicas that
   * are no longer part of it (a replaced reassignment's adding replicas).
   */
  static PartitionState moveTo(PartitionState p, List<Integer> target, Set<Integer> live) {
    List<Integer> original = originalReplicas(p);
    List<Integer> adding = without(target, original);
    List<Integer> removing = without(original, target);
    List<Integer> replicas = new ArrayList<>(target);
    replicas.addAll(removing);
    List<Integer> isr = retained(p.isr(), replicas);
    if (isr.isEmpty()) {
      throw new InvalidReplicaAssignmentException("None of the in-sync replicas " + p.isr() + " is among " + replicas
          + ": the move would need an unclean leader election.");
    }
    int leader = p.leader();
    if (leader != PartitionState.NO_LEADER && !replicas.contains(leader)) {
      leader = firstLive(replicas, isr, live).orElseThrow(() -> new InvalidReplicaAssignmentException(
          "No in-sync replica among " + replicas + " is alive to take over from leader " + p.leader() + "."));
    }
    PartitionState moving = new PartitionState(replicas, leader, p.leaderEpoch() + (leader == p.leader() ? 0 : 1), isr,
        p.partitionEpoch() + 1, adding, removing);
    PartitionState next = completeIfReady(moving, live);
    return sameAssignment(next, p) ? p : next;
  }

  /**
   * Ends the reassignment if every target replica is in sync: replicas and ISR shrink to the target
   * and, if the leader is leaving, the first live target replica in the ISR leads at a new epoch.
   * Unchanged while a target replica is still catching up, or no target replica may lead yet.
   */
  static PartitionState completeIfReady(PartitionState p, Set<Integer> live) {
    if (!p.isReassigning()) {
      return p;
    }
    List<Integer> target = targetReplicas(p);
    if (!p.isr().containsAll(target)) {
      return p;
    }
    List<Integer> isr = retained(p.isr(), target);
    int leader = p.leader();
    if (leader != PartitionState.NO_LEADER && !target.contains(leader)) {
      Optional<Integer> successor = firstLive(target, isr, live);
      if (successor.isEmpty()) {
        return p;
      }
      leader = successor.get();
    }
    return new PartitionState(target, leader, p.leaderEpoch() + (leader == p.leader() ? 0 : 1), isr, p.partitionEpoch() + 1);
  }

  private static PartitionState partitionOf(ClusterState state, String topicName, int partition) {
    TopicState topic = state.requireTopic(topicName);
    if (partition < 0 || partition >= topic.partitionCount()) {
      throw new UnknownTopicOrPartitionException("Partition " + topicName + "-" + partition + " does not exist.");
    }
    return topic.partitions().get(partition);
  }

  private static void validate(List<Integer> target, Set<Integer> live) {
    if (target.isEmpty()) {
      throw new InvalidReplicaAssignmentException("The target replica list is empty.");
    }
    if (new HashSet<>(target).size() != target.size()) {
      throw new InvalidReplicaAssignmentException("The target replica list " + target + " names a broker more than once.");
    }
    for (int broker : target) {
      if (!live.contains(broker)) {
        throw new InvalidReplicaAssignmentException("The target replica list " + target + " includes broker " + broker
            + ", which is not a live broker.");
      }
    }
  }

  private static boolean sameAssignment(PartitionState a, PartitionState b) {
    return a.replicas().equals(b.replicas()) && a.leader() == b.leader() && a.isr().equals(b.isr())
        && a.addingReplicas().equals(b.addingReplicas()) && a.removingReplicas().equals(b.removingReplicas());
  }

  private static Optional<Integer> firstLive(List<Integer> candidates, List<Integer> isr, Set<Integer> live) {
    return candidates.stream().filter(r -> isr.contains(r) && live.contains(r)).findFirst();
  }

  /** {@code list} without the members of {@code removed}, in order. */
  private static List<Integer> without(List<Integer> list, List<Integer> removed) {
    return list.stream().filter(r -> !removed.contains(r)).toList();
  }

  /** {@code list} keeping only the members of {@code kept}, in order. */
  private static List<Integer> retained(List<Integer> list, List<Integer> kept) {
    return list.stream().filter(kept::contains).toList();
  }

  private static TopicState withPartition(TopicState topic, int index, PartitionState partition) {
    List<PartitionState> partitions = new ArrayList<>(topic.partitions());
    partitions.set(index, partition);
    return topic.withPartitions(partitions);
  }
}
