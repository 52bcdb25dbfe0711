package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;

/**
 * OffsetForLeaderEpoch as consumers ask it to detect truncation (kafka-clients 2.x+ at v3-v4) and
 * followers to truncate: where an epoch ends, an epoch above every known one, the leader-epoch
 * fence, and an unknown topic.
 */
final class OffsetForLeaderEpochCase implements ApiCase {
  private static final int RECORDS = 3;
  private String topic;

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.OFFSET_FOR_LEADER_EPOCH;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    if (topic == null) {
      topic = broker.createTopic("epoch-end", 1);
      broker.produce(topic, 0, RECORDS, System.currentTimeMillis());
    }
    int leaderEpoch = broker.node().metadata().current().topic(topic).orElseThrow().partitions().get(0).leaderEpoch();

    assertAnswer(ask(broker, version, topic, leaderEpoch, leaderEpoch), Errors.NONE, leaderEpoch, RECORDS);
    assertAnswer(ask(broker, version, topic, -1, leaderEpoch + 5), Errors.NONE, -1, -1);
    assertAnswer(ask(broker, version, topic, leaderEpoch + 1, leaderEpoch), Errors.UNKNOWN_LEADER_EPOCH, -1, -1);
    assertAnswer(ask(broker, version, "no-such-topic", -1, 0), Errors.UNKNOWN_TOPIC_OR_PARTITION, -1, -1);
  }

  private static EpochEndOffset ask(ConformanceBroker broker, short version, String topic, int currentLeaderEpoch, int leaderEpoch)
      throws Exception {
    OffsetForLeaderTopicCollection topics = new OffsetForLeaderTopicCollection();
    topics.add(new OffsetForLeaderTopic().setTopic(topic).setPartitions(List.of(
        new OffsetForLeaderPartition().setPartition(0).setCurrentLeaderEpoch(currentLeaderEpoch).setLeaderEpoch(leaderEpoch))));
    OffsetForLeaderEpochRequestData request = new OffsetForLeaderEpochRequestData().setTopics(topics);
    if (version >= 3) {
      request.setReplicaId(OffsetsForLeaderEpochRequest.CONSUMER_REPLICA_ID);
    }
    OffsetsForLeaderEpochResponse response = broker.send(request, version);
    assertEquals(1, response.data().topics().size());
    assertEquals(topic, response.data().topics().iterator().next().topic());
    return response.data().topics().iterator().next().partitions().get(0);
  }

  private static void assertAnswer(EpochEndOffset answer, Errors error, int leaderEpoch, long endOffset) {
    assertEquals(error, Errors.forCode(answer.errorCode()), "error");
    assertEquals(0, answer.partition());
    assertEquals(leaderEpoch, answer.leaderEpoch(), "leader epoch");
    assertEquals(endOffset, answer.endOffset(), "end offset");
  }
}
