package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.DeleteRecordsResponse;

/**
 * DeleteRecords: the log start offset moves up to the offset asked (or the high watermark for -1)
 * and never back; offsets above the high watermark, unknown topics and partitions, and internal
 * topics are refused.
 */
final class DeleteRecordsCase implements ApiCase {
  private static final int RECORDS = 6;

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.DELETE_RECORDS;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    String topic = broker.createTopic("delete-records-v" + version, 2);
    broker.produce(topic, 0, RECORDS, System.currentTimeMillis());

    assertResult(delete(broker, version, topic, 0, 2), Errors.NONE, 2);
    assertEquals(2, broker.read(topic, 0, 2).logStartOffset(), "a fetch sees the new log start offset");
    assertResult(delete(broker, version, topic, 0, 1), Errors.NONE, 2);
    assertResult(delete(broker, version, topic, 0, DeleteRecordsRequest.HIGH_WATERMARK), Errors.NONE, RECORDS);
    assertResult(delete(broker, version, topic, 1, 0), Errors.NONE, 0);

    assertResult(delete(broker, version, topic, 1, 1), Errors.OFFSET_OUT_OF_RANGE, -1);
    assertResult(delete(broker, version, topic, 2, 0), Errors.UNKNOWN_TOPIC_OR_PARTITION, -1);
    assertResult(delete(broker, version, "no-such-topic", 0, 0), Errors.UNKNOWN_TOPIC_OR_PARTITION, -1);
    // Clients may not delete from internal topics, as in Kafka.
    assertResult(delete(broker, version, broker.journalTopic(), 0, DeleteRecordsRequest.HIGH_WATERMARK),
        Errors.INVALID_TOPIC_EXCEPTION, -1);
  }

  private static DeleteRecordsPartitionResult delete(ConformanceBroker broker, short version, String topic,
      int partition, long offset) throws Exception {
    DeleteRecordsRequestData request = new DeleteRecordsRequestData().setTimeoutMs(10_000).setTopics(List.of(
        new DeleteRecordsTopic().setName(topic).setPartitions(List.of(
            new DeleteRecordsPartition().setPartitionIndex(partition).setOffset(offset)))));
    DeleteRecordsResponse response = broker.send(request, version);
    assertEquals(1, response.data().topics().size());
    var answered = response.data().topics().find(topic);
    assertEquals(1, answered.partitions().size());
    return answered.partitions().find(partition);
  }

  private static void assertResult(DeleteRecordsPartitionResult result, Errors error, long lowWatermark) {
    assertEquals(error, Errors.forCode(result.errorCode()), "error");
    assertEquals(lowWatermark, result.lowWatermark(), "low watermark");
  }
}
