package io.vltava.replica;

import io.vltava.metadata.PartitionState;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;

/** How a leader proposes a new ISR to the controller; empty when the controller refused (e.g. a newer epoch exists). */
public interface IsrChanges {
  CompletionStage<Optional<PartitionState>> propose(TopicPartition partition, int leaderId, int leaderEpoch, List<Integer> isr);
}
