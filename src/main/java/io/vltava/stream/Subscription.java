package io.vltava.stream;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/** What a consumer source reads; made by {@link Subscriptions}. */
public sealed interface Subscription {

  /** Topics whose partitions the group's coordinator assigns; needs a group id. */
  record Topics(Set<String> topics) implements Subscription {
    public Topics {
      topics = Set.copyOf(topics);
      if (topics.isEmpty()) {
        throw new IllegalArgumentException("no topics");
      }
    }
  }

  /** Explicit partitions, from their committed offsets or else {@code auto.offset.reset}. */
  record Assignment(Set<TopicPartition> partitions) implements Subscription {
    public Assignment {
      partitions = Set.copyOf(partitions);
      if (partitions.isEmpty()) {
        throw new IllegalArgumentException("no partitions");
      }
    }
  }

  /** Explicit partitions, each from the given offset. */
  record AssignmentWithOffset(Map<TopicPartition, Long> offsets) implements Subscription {
    public AssignmentWithOffset {
      offsets = Map.copyOf(offsets);
      if (offsets.isEmpty()) {
        throw new IllegalArgumentException("no partitions");
      }
    }
  }
}
