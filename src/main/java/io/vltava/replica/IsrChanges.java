package io.vltava.replica;

import io.vltava.metadata.PartitionState;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/** How a leader proposes a new ISR, made from the partition's state {@code base}, to the controller. */
public interface IsrChanges {
  CompletionStage<Decision> propose(TopicPartition partition, PartitionState base, List<Integer> isr);

  /**
   * The controller's answer: NONE and the partition's new state, or why it refused (the leader was
   * deposed, the partition changed meanwhile, a proposed member is not a live broker).
   */
  record Decision(Errors error, PartitionState partition) {}
}
