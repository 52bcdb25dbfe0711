package io.vltava.metadata;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Leader election and ISR changes when brokers come and go. Leaders are chosen from the in-sync
 * replicas that are alive, in assignment order so the preferred replica wins when it can. A lost
 * broker leaves every ISR except where it is the last member: that replica holds everything
 * committed, so it stays in the ISR to be elected again when it returns (rather than electing an
 * out-of-sync replica and losing data). A replica whose log failed (an I/O error: a full or
 * broken disk) is treated like a lost broker for its one partition, until it reports its log back.
 */
public final class LeaderElection {
  private LeaderElection() {}

  /** The leader for {@code partition} among {@code live} brokers, or empty when none may lead. */
  public static Optional<Integer> elect(PartitionState partition, Set<Integer> live, boolean uncleanAllowed) {
    for (int replica : partition.replicas()) {
      if (partition.isr().contains(replica) && live.contains(replica)) {
        return Optional.of(replica);
      }
    }
    if (uncleanAllowed) {
      return partition.replicas().stream().filter(live::contains).findFirst();
    }
    return Optional.empty();
  }

  /** Broker {@code nodeId} is gone: every partition loses it from its ISR and, where it led, gets a new leader or none. */
  public static ClusterState onBrokerLost(ClusterState state, int nodeId, UncleanPolicy unclean) {
    ClusterState without = state.brokers().containsKey(nodeId) ? state.withoutBroker(nodeId) : state;
    Set<Integer> live = without.brokers().keySet();
    return without.withTopics(mapPartitions(without, (topic, p) -> {
      List<Integer> isr = p.isr();
      if (isr.contains(nodeId) && isr.size() > 1) {
        isr = new ArrayList<>(isr);
        isr.remove(Integer.valueOf(nodeId));
      }
      PartitionState shrunk = isr.equals(p.isr()) ? p : p.withIsr(isr);
      return p.leader() == nodeId ? withLeader(shrunk, elect(shrunk, live, unclean.allowedFor(topic))) : shrunk;
    }));
  }

  /** Broker {@code nodeId} is (back) up: partitions without a leader that it may lead get it. */
  public static ClusterState onBrokerRegistered(ClusterState state, int nodeId, UncleanPolicy unclean) {
    Set<Integer> live = state.brokers().keySet();
    return state.withTopics(mapPartitions(state, (topic, p) -> {
      if (p.hasLeader() || !p.replicas().contains(nodeId)) {
        return p;
      }
      return withLeader(p, elect(p, live, unclean.allowedFor(topic)));
    }));
  }

  /**
   * Broker {@code nodeId}'s replica of a partition is offline (its log failed, as a Kafka log dir
   * goes offline): it leaves the ISR unless it is the last member (it holds everything committed,
   * so it stays to lead again once its log is back), and where it led, another live in-sync
   * replica leads, or none: the partition is offline until the replica is back.
   */
  public static ClusterState onReplicaOffline(
      ClusterState state, String topicName, int partition, int nodeId, UncleanPolicy unclean) {
    TopicState topic = requirePartition(state, topicName, partition);
    PartitionState p = topic.partitions().get(partition);
    if (!p.replicas().contains(nodeId)) {
      throw new org.apache.kafka.common.errors.NotLeaderOrFollowerException(
          "broker " + nodeId + " holds no replica of " + topicName + "-" + partition);
    }
    List<Integer> isr = p.isr();
    if (isr.contains(nodeId) && isr.size() > 1) {
      isr = new ArrayList<>(isr);
      isr.remove(Integer.valueOf(nodeId));
    }
    PartitionState next = isr.equals(p.isr()) ? p : p.withIsr(isr);
    if (p.leader() == nodeId) {
      Set<Integer> candidates = new java.util.HashSet<>(state.brokers().keySet());
      candidates.remove(nodeId);
      next = withLeader(next, elect(next, candidates, unclean.allowedFor(topic)));
    }
    return next == p ? state : withPartition(state, topic, partition, next);
  }

  /**
   * Broker {@code nodeId}'s replica of a partition has its log back: if the partition has no
   * leader and this replica may lead it (it was the last in sync), it leads. Only it is a candidate:
   * the controller does not know whether the others' logs are online. A follower otherwise rejoins
   * the ISR the usual way, by catching up with the leader.
   */
  public static ClusterState onReplicaOnline(
      ClusterState state, String topicName, int partition, int nodeId, UncleanPolicy unclean) {
    TopicState topic = requirePartition(state, topicName, partition);
    PartitionState p = topic.partitions().get(partition);
    if (p.hasLeader() || !p.replicas().contains(nodeId)) {
      return state;
    }
    Set<Integer> candidate = state.brokers().containsKey(nodeId) ? Set.of(nodeId) : Set.of();
    PartitionState next = withLeader(p, elect(p, candidate, unclean.allowedFor(topic)));
    return next == p ? state : withPartition(state, topic, partition, next);
  }

  private static TopicState requirePartition(ClusterState state, String topicName, int partition) {
    TopicState topic = state.requireTopic(topicName);
    if (partition < 0 || partition >= topic.partitionCount()) {
      throw new org.apache.kafka.common.errors.UnknownTopicOrPartitionException(topicName + "-" + partition + " does not exist");
    }
    return topic;
  }

  private static ClusterState withPartition(ClusterState state, TopicState topic, int partition, PartitionState next) {
    List<PartitionState> partitions = new ArrayList<>(topic.partitions());
    partitions.set(partition, next);
    return state.withTopic(topic.withPartitions(partitions));
  }

  /**
   * Gives leadership back to each partition's preferred replica (the first assigned) where it is
   * alive, in sync and not leading: Kafka's auto leader rebalance, which keeps leaders spread.
   */
  public static ClusterState restorePreferredLeaders(ClusterState state) {
    Set<Integer> live = state.brokers().keySet();
    return state.withTopics(mapPartitions(state, (topic, p) -> {
      int preferred = p.replicas().get(0);
      // A reassignment chooses its leader when it completes; moving it to each joining replica first would churn.
      // A partition without a leader gets one by an election (a broker or replica coming back), not here:
      // its last in-sync replica may be offline.
      if (!p.hasLeader() || p.isReassigning() || p.leader() == preferred || !live.contains(preferred) || !p.isr().contains(preferred)) {
        return p;
      }
      return withLeader(p, Optional.of(preferred));
    }));
  }

  /**
   * The leader's request to set a partition's ISR, made from the partition state {@code base}.
   * Accepted only from the current leader at its current epoch (a deposed leader is fenced), only
   * if nothing else changed the partition since {@code base} (a broker lost meanwhile must not be
   * put back), only if the leader stays in it, and only if every replica it adds is a live broker:
   * the leader may still hold a lost follower's last, caught-up position (Kafka's KIP-841).
   */
  public static ClusterState changeIsr(ClusterState state, String topicName, int partition, PartitionState base, List<Integer> isr) {
    TopicState topic = requirePartition(state, topicName, partition);
    PartitionState p = topic.partitions().get(partition);
    if (p.leader() != base.leader() || p.leaderEpoch() != base.leaderEpoch()) {
      throw new org.apache.kafka.common.errors.FencedLeaderEpochException("broker " + base.leader() + " at epoch " + base.leaderEpoch()
          + " no longer leads " + topicName + "-" + partition + " (leader " + p.leader() + ", epoch " + p.leaderEpoch() + ")");
    }
    if (p.partitionEpoch() != base.partitionEpoch()) {
      throw new org.apache.kafka.common.errors.InvalidUpdateVersionException("the ISR change of " + topicName + "-" + partition
          + " was made at partition epoch " + base.partitionEpoch() + ", but it is at " + p.partitionEpoch());
    }
    if (!isr.contains(base.leader()) || !p.replicas().containsAll(isr)) {
      throw new org.apache.kafka.common.errors.InvalidRequestException("ISR " + isr + " must hold the leader and only replicas " + p.replicas());
    }
    for (int replica : isr) {
      if (!p.isr().contains(replica) && !state.brokers().containsKey(replica)) {
        throw new org.apache.kafka.common.errors.IneligibleReplicaException(
            "broker " + replica + " is not alive and cannot join the ISR of " + topicName + "-" + partition);
      }
    }
    return isr.equals(p.isr()) ? state : withPartition(state, topic, partition, p.withIsr(isr));
  }

  /** Whether a topic allows an out-of-sync replica to lead (unclean.leader.election.enable). */
  public interface UncleanPolicy {
    boolean allowedFor(TopicState topic);
  }

  static PartitionState withLeader(PartitionState p, Optional<Integer> leader) {
    int newLeader = leader.orElse(PartitionState.NO_LEADER);
    if (newLeader == p.leader()) {
      return p;
    }
    List<Integer> isr = p.isr();
    if (leader.isPresent() && !isr.contains(newLeader)) {
      // An unclean election: the new leader's log defines what is committed from now on.
      isr = List.of(newLeader);
    }
    return p.withLeader(newLeader, isr);
  }

  private interface PartitionChange {
    PartitionState apply(TopicState topic, PartitionState partition);
  }

  private static Map<String, TopicState> mapPartitions(ClusterState state, PartitionChange change) {
    Map<String, TopicState> topics = new HashMap<>();
    state.topics().forEach((name, topic) -> {
      List<PartitionState> partitions = new ArrayList<>(topic.partitionCount());
      for (PartitionState p : topic.partitions()) {
        partitions.add(change.apply(topic, p));
      }
      topics.put(name, topic.withPartitions(partitions));
    });
    return topics;
  }
}
