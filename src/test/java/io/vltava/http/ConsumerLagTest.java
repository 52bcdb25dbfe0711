package io.vltava.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vltava.group.CommittedOffset;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ConsumerLagTest {
  private static CommittedOffset committed(String topic, int partition, long offset) {
    return new CommittedOffset(topic, partition, offset, -1, "", 0);
  }

  @Test
  void lagIsHighWatermarkMinusCommittedForLedPartitionsOnly() {
    Map<TopicPartition, Long> led = Map.of(new TopicPartition("a", 0), 100L, new TopicPartition("a", 1), 7L);
    List<ConsumerLag> lags = ConsumerLag.of("g",
        List.of(committed("a", 0, 40), committed("a", 1, 9), committed("b", 0, 3)),
        partition -> led.containsKey(partition) ? OptionalLong.of(led.get(partition)) : OptionalLong.empty());
    // a-1's commit is ahead of the high watermark this node knows: no negative lag. b-0 is led elsewhere.
    assertEquals(List.of(new ConsumerLag("g", "a", 0, 60), new ConsumerLag("g", "a", 1, 0)), lags);
  }
}
