package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;

/**
 * OffsetForLeaderEpoch as a consumer validating its position asks it (replica id -1 from v3):
 * the current epoch ends at the log end offset, an epoch beyond any known is undefined, and the
 * errors of unknown topics and partitions and of a newer current leader epoch.
 */
final class OffsetForLeaderEpochCase implements ApiCase {
  private static final short FIRST_VERSION_WITH_REPLICA_ID = 3;
  private static final int RECORDS = 4;

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
    int epoch = broker.leaderEpoch(topic, 0);

    assertEnd(ask(broker, version, topic, 0, epoch, epoch), Errors.NONE, epoch, RECORDS);
    assertEnd(ask(broker, version, topic, 0, -1, epoch), Errors.NONE, epoch, RECORDS);
    // No epoch beyond the current one is known yet.
    assertEnd(ask(broker, version, topic, 0, epoch, epoch + 2), Errors.NONE, -1, -1);

    assertEnd(ask(broker, version, topic, 0, epoch + 1, epoch), Errors.UNKNOWN_LEADER_EPOCH, -1, -1);
    // One node never changes leader: -2 stands for an older epoch (any but -1, "none", is compared).
    assertEnd(ask(broker, version, topic, 0, -2, epoch), Errors.FENCED_LEADER_EPOCH, -1, -1);
    assertEnd(ask(broker, version, topic, 3, -1, epoch), Errors.UNKNOWN_TOPIC_OR_PARTITION, -1, -1);
    assertEnd(ask(broker, version, "no-such-topic", 0, -1, 0), Errors.UNKNOWN_TOPIC_OR_PARTITION, -1, -1);
  }

  private static EpochEndOffset ask(ConformanceBroker broker, short version, String topic, int partition,
      int currentLeaderEpoch, int leaderEpoch) throws Exception {
    OffsetForLeaderEpochRequestData request = new OffsetForLeaderEpochRequestData();
    if (version >= FIRST_VERSION_WITH_REPLICA_ID) {
      request.setReplicaId(OffsetsForLeaderEpochRequest.CONSUMER_REPLICA_ID);
    }
    OffsetForLeaderTopic wanted = new OffsetForLeaderTopic().setTopic(topic).setPartitions(List.of(
        new OffsetForLeaderPartition().setPartition(partition).setCurrentLeaderEpoch(currentLeaderEpoch).setLeaderEpoch(leaderEpoch)));
    request.topics().add(wanted);
    OffsetsForLeaderEpochResponse response = broker.send(request, version);
    assertEquals(1, response.data().topics().size());
    assertEquals(topic, response.data().topics().iterator().next().topic());
    List<EpochEndOffset> partitions = response.data().topics().iterator().next().partitions();
    assertEquals(1, partitions.size());
    assertEquals(partition, partitions.get(0).partition());
    return partitions.get(0);
  }

  private static void assertEnd(EpochEndOffset answer, Errors error, int leaderEpoch, long endOffset) {
    assertEquals(error, Errors.forCode(answer.errorCode()), "error");
    assertEquals(leaderEpoch, answer.leaderEpoch(), "leader epoch");
    assertEquals(endOffset, answer.endOffset(), "end offset");
  }
}
