package io.vltava.replica;

import io.vltava.metadata.PartitionState;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * How a replica asks the controller to change its partition's ISR: a leader proposes a new ISR,
 * made from the partition's state {@code base}; any replica reports that its log went offline
 * (an I/O error) or is back, so that leadership and the ISR move away from it and back.
 */
public interface IsrChanges {
  CompletionStage<Decision> propose(TopicPartition partition, PartitionState base, List<Integer> isr);

  CompletionStage<Decision> reportReplica(TopicPartition partition, int nodeId, boolean online);

  /**
   * The controller's answer: NONE and the partition's new state, or why it refused (the leader was
   * deposed, the partition changed meanwhile, a proposed member is not a live broker).
   */
  record Decision(Errors error, PartitionState partition) {}
}
