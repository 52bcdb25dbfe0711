package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;

/**
 * ListOffsets as consumers ask it: librdkafka and kafkajs at v2-v3 (no leader epoch in either
 * direction), kafka-clients 2.x/3.x at v5-v7, 4.x at v10-v11.
 */
final class ListOffsetsCase implements ApiCase {
  private static final long FIRST_TIMESTAMP_MS = 1_700_000_000_000L;
  private static final int RECORDS = 5;
  private String topic;

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.LIST_OFFSETS;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    if (topic == null) {
      topic = broker.createTopic("list-offsets", 1);
      broker.produce(topic, 0, RECORDS, FIRST_TIMESTAMP_MS);
    }
    int leaderEpoch = broker.node().metadata().current().topic(topic).orElseThrow().partitions().get(0).leaderEpoch();
    int expectedEpoch = version >= 4 ? leaderEpoch : -1;

    assertAnswer(lookUp(broker, version, topic, ListOffsetsRequest.EARLIEST_TIMESTAMP), Errors.NONE, 0, -1, expectedEpoch);
    assertAnswer(lookUp(broker, version, topic, ListOffsetsRequest.LATEST_TIMESTAMP), Errors.NONE, RECORDS, -1, expectedEpoch);
    assertAnswer(lookUp(broker, version, topic, FIRST_TIMESTAMP_MS + 2), Errors.NONE, 2, FIRST_TIMESTAMP_MS + 2, expectedEpoch);
    assertAnswer(lookUp(broker, version, topic, FIRST_TIMESTAMP_MS + 99), Errors.NONE, -1, -1, expectedEpoch);
    if (version >= 7) {
      assertAnswer(lookUp(broker, version, topic, ListOffsetsRequest.MAX_TIMESTAMP), Errors.NONE,
          RECORDS - 1, FIRST_TIMESTAMP_MS + RECORDS - 1, expectedEpoch);
    }
    if (version >= 8) {
      assertAnswer(lookUp(broker, version, topic, ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP), Errors.NONE, 0, -1, expectedEpoch);
    }
    if (version >= 9) {
      assertAnswer(lookUp(broker, version, topic, ListOffsetsRequest.LATEST_TIERED_TIMESTAMP), Errors.NONE, -1, -1, expectedEpoch);
    }
    if (version >= 11) {
      assertAnswer(lookUp(broker, version, topic, ListOffsetsRequest.EARLIEST_PENDING_UPLOAD_TIMESTAMP), Errors.NONE, -1, -1, expectedEpoch);
    }
    assertAnswer(lookUp(broker, version, "no-such-topic", ListOffsetsRequest.LATEST_TIMESTAMP),
        Errors.UNKNOWN_TOPIC_OR_PARTITION, -1, -1, -1);
    if (version >= 4) {
      ListOffsetsPartitionResponse newerEpoch = send(broker, version, topic,
          new ListOffsetsPartition().setPartitionIndex(0).setCurrentLeaderEpoch(leaderEpoch + 1)
              .setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP));
      assertEquals(Errors.UNKNOWN_LEADER_EPOCH.code(), newerEpoch.errorCode());
      ListOffsetsPartitionResponse sameEpoch = send(broker, version, topic,
          new ListOffsetsPartition().setPartitionIndex(0).setCurrentLeaderEpoch(leaderEpoch)
              .setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP));
      assertAnswer(sameEpoch, Errors.NONE, RECORDS, -1, leaderEpoch);
    }
  }

  private static ListOffsetsPartitionResponse lookUp(ConformanceBroker broker, short version, String topic, long timestamp)
      throws Exception {
    return send(broker, version, topic, new ListOffsetsPartition().setPartitionIndex(0).setTimestamp(timestamp));
  }

  private static ListOffsetsPartitionResponse send(ConformanceBroker broker, short version, String topic,
      ListOffsetsPartition partition) throws Exception {
    ListOffsetsRequestData request = new ListOffsetsRequestData()
        .setReplicaId(ListOffsetsRequest.CONSUMER_REPLICA_ID)
        .setTopics(List.of(new ListOffsetsTopic().setName(topic).setPartitions(List.of(partition))));
    if (version >= 2) {
      request.setIsolationLevel(IsolationLevel.READ_COMMITTED.id());
    }
    if (version >= 10) {
      request.setTimeoutMs(5_000);
    }
    ListOffsetsResponse response = broker.send(request, version);
    assertEquals(1, response.data().topics().size());
    assertEquals(topic, response.data().topics().get(0).name());
    assertEquals(1, response.data().topics().get(0).partitions().size());
    return response.data().topics().get(0).partitions().get(0);
  }

  private static void assertAnswer(ListOffsetsPartitionResponse answer, Errors error, long offset, long timestamp, int leaderEpoch) {
    assertEquals(error, Errors.forCode(answer.errorCode()), "error");
    assertEquals(0, answer.partitionIndex());
    assertEquals(offset, answer.offset(), "offset");
    assertEquals(timestamp, answer.timestamp(), "timestamp");
    assertEquals(leaderEpoch, answer.leaderEpoch(), "leader epoch");
  }
}
