package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse;
import org.apache.kafka.common.message.DescribeProducersResponseData.ProducerState;
import org.apache.kafka.common.message.DescribeProducersResponseData.TopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeProducersResponse;

/**
 * DescribeProducers: the idempotent producer that wrote a partition, with its last sequence and
 * timestamp, no transaction (-1); an empty partition has none; unknown partitions are errors.
 */
final class DescribeProducersCase implements ApiCase {
  private static final long FIRST_TIMESTAMP_MS = 1_700_000_000_000L;
  private static final int RECORDS = 6;
  private String topic;

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.DESCRIBE_PRODUCERS;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    if (topic == null) {
      topic = broker.createTopic("producers", 2);
      broker.produce(topic, 0, RECORDS, FIRST_TIMESTAMP_MS); // the node's producer is idempotent, as kafka-clients' is by default
    }
    DescribeProducersResponse response = broker.send(new DescribeProducersRequestData().setTopics(List.of(
        new TopicRequest().setName(topic).setPartitionIndexes(List.of(0, 1, 9)),
        new TopicRequest().setName("no-such-topic").setPartitionIndexes(List.of(0)))), version);

    List<TopicResponse> topics = response.data().topics();
    assertEquals(2, topics.size());
    List<PartitionResponse> partitions = topics.get(0).partitions();
    assertEquals(Errors.NONE.code(), partitions.get(0).errorCode());
    assertEquals(1, partitions.get(0).activeProducers().size());
    ProducerState producer = partitions.get(0).activeProducers().get(0);
    assertTrue(producer.producerId() >= 0);
    assertEquals(0, producer.producerEpoch());
    assertEquals(RECORDS - 1, producer.lastSequence());
    assertEquals(FIRST_TIMESTAMP_MS + RECORDS - 1, producer.lastTimestamp());
    assertEquals(-1, producer.coordinatorEpoch());
    assertEquals(-1, producer.currentTxnStartOffset());

    assertEquals(Errors.NONE.code(), partitions.get(1).errorCode());
    assertEquals(List.of(), partitions.get(1).activeProducers(), "nothing was written to partition 1");
    assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), partitions.get(2).errorCode());
    assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), topics.get(1).partitions().get(0).errorCode());
  }
}
