package io.vltava.replica;

import io.vltava.metadata.PartitionState;
import java.util.List;

/**
 * Which periodic work a local replica has to do, decided from what its {@link LocalReplica} view
 * shows. The node's {@link ReplicaScheduler} asks on every round and tells (or, for checkpoints,
 * serves) only the replicas with something to do, so an idle node's cost does not grow with its
 * partition count (Kafka's broker likewise runs one scheduled task each for retention,
 * high-watermark checkpoints and ISR shrinking, over all its partitions). Pure and stateless.
 */
final class ReplicaChores {
  private ReplicaChores() {}

  /**
   * An ISR check is due for a leader with another replica to watch (followers to drop from the ISR
   * when they lag, or to add back once they caught up) and for a replica whose online or offline
   * status the controller has not yet acknowledged (the check reports it again). A leader alone in
   * its replicas and its ISR (replication factor 1) has nothing to check.
   */
  static boolean needsIsrCheck(PartitionState state, boolean leads, int localNodeId, boolean statusUnreported) {
    return statusUnreported || (leads && !alone(state, localNodeId));
  }

  /** Whether {@code state} names no replica and no ISR member other than this node. */
  static boolean alone(PartitionState state, int localNodeId) {
    return onlyThisNode(state.replicas(), localNodeId) && onlyThisNode(state.isr(), localNodeId);
  }

  private static boolean onlyThisNode(List<Integer> nodes, int localNodeId) {
    return nodes.size() == 1 && nodes.get(0) == localNodeId;
  }

  /** An open log's checkpoint is written only when the high watermark moved since the last one; an unchanged file is left alone. */
  static boolean needsHighWatermarkCheckpoint(long highWatermark, long checkpointedHighWatermark) {
    return highWatermark != checkpointedHighWatermark;
  }
}
