package io.vltava.http;

import io.vltava.group.CommittedOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;

/**
 * A group's lag in a partition: the partition's high watermark minus the group's committed offset
 * (never below 0; a commit can run ahead of a follower's view). Only partitions whose high
 * watermark this node knows, i.e. that it leads, are counted, so each partition's lag is reported
 * by exactly one node.
 */
record ConsumerLag(String group, String topic, int partition, long lag) {

  static List<ConsumerLag> of(String group, List<CommittedOffset> committed, Function<TopicPartition, OptionalLong> highWatermark) {
    List<ConsumerLag> lags = new ArrayList<>();
    for (CommittedOffset offset : committed) {
      OptionalLong end = highWatermark.apply(new TopicPartition(offset.topic(), offset.partition()));
      if (end.isPresent()) {
        lags.add(new ConsumerLag(group, offset.topic(), offset.partition(), Math.max(0, end.getAsLong() - offset.offset())));
      }
    }
    return lags;
  }
}
