package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListPartitionReassignmentsResponse;

/**
 * ListPartitionReassignments on one node, where nothing can move (every target must be a live
 * broker other than the only one): all partitions, named ones and unknown ones list nothing. The
 * listing of moves in progress (replicas, adding, removing) is checked with
 * kafka-reassign-partitions --list on three and four nodes (ReassignPartitionsToolTest).
 */
final class ListPartitionReassignmentsCase implements ApiCase {
  private String topic;

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.LIST_PARTITION_REASSIGNMENTS;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    if (topic == null) {
      topic = broker.createTopic("list-reassign", 2);
    }
    ListPartitionReassignmentsResponse all = broker.send(new ListPartitionReassignmentsRequestData().setTimeoutMs(15_000), version);
    assertEquals(Errors.NONE.code(), all.data().errorCode());
    assertEquals(List.of(), all.data().topics());

    ListPartitionReassignmentsResponse named = broker.send(new ListPartitionReassignmentsRequestData().setTopics(List.of(
        new ListPartitionReassignmentsTopics().setName(topic).setPartitionIndexes(List.of(0, 1, 9)),
        new ListPartitionReassignmentsTopics().setName("no-such-topic").setPartitionIndexes(List.of(0)))), version);
    assertEquals(Errors.NONE.code(), named.data().errorCode());
    assertEquals(List.of(), named.data().topics());
  }
}
