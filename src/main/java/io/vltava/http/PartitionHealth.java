package io.vltava.http;

import io.vltava.metadata.ClusterState;
import io.vltava.metadata.PartitionState;
import io.vltava.metadata.TopicState;

/**
 * Partition counts a node reports, counted as Kafka's brokers do so that a sum over all nodes is
 * the cluster's: a partition is under-replicated on its leader's node (ISR smaller than its
 * replicas), and offline partitions (no leader) and partitions being reassigned are counted by the
 * node running the controller.
 */
record PartitionHealth(int underReplicated, int offline, int reassigning) {

  static PartitionHealth of(ClusterState state, int localNodeId) {
    int underReplicated = 0;
    int offline = 0;
    int reassigning = 0;
    boolean controller = state.controllerId() == localNodeId;
    for (TopicState topic : state.topics().values()) {
      for (PartitionState partition : topic.partitions()) {
        reassigning += controller && partition.isReassigning() ? 1 : 0;
        if (partition.leader() == PartitionState.NO_LEADER) {
          offline += controller ? 1 : 0;
        } else if (partition.leader() == localNodeId && partition.isr().size() < partition.replicas().size()) {
          underReplicated++;
        }
      }
    }
    return new PartitionHealth(underReplicated, offline, reassigning);
  }
}
