package io.vltava.replica;

import io.vltava.metadata.PartitionState;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;

/**
 * How a leader proposes a new ISR, made from the partition's state {@code base}, to the controller;
 * empty when the controller refused (the partition changed meanwhile, or this leader was deposed).
 */
public interface IsrChanges {
  CompletionStage<Optional<PartitionState>> propose(TopicPartition partition, PartitionState base, List<Integer> isr);
}
