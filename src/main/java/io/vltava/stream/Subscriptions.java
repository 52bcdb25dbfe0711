package io.vltava.stream;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/** Factories for {@link Subscription}s, named as in the Pekko Kafka connector. */
public final class Subscriptions {
  private Subscriptions() {}

  /** The partitions of these topics that the consumer group assigns to this source. */
  public static Subscription topics(String... topics) {
    return new Subscription.Topics(Set.of(topics));
  }

  public static Subscription topics(Set<String> topics) {
    return new Subscription.Topics(topics);
  }

  /** These partitions, without a group rebalance. */
  public static Subscription assignment(TopicPartition... partitions) {
    return new Subscription.Assignment(Set.of(partitions));
  }

  public static Subscription assignment(Set<TopicPartition> partitions) {
    return new Subscription.Assignment(partitions);
  }

  /** These partitions, each from its offset. */
  public static Subscription assignmentWithOffset(Map<TopicPartition, Long> offsets) {
    return new Subscription.AssignmentWithOffset(offsets);
  }

  public static Subscription assignmentWithOffset(TopicPartition partition, long offset) {
    return new Subscription.AssignmentWithOffset(Map.of(partition, offset));
  }
}
