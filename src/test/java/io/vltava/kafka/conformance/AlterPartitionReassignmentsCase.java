package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignablePartition;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignableTopic;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignableTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsResponse;

/**
 * AlterPartitionReassignments on one node: a target equal to the current replicas is accepted and
 * changes nothing; an empty target, an unknown broker, a partition or topic that does not exist
 * and a cancel with nothing in progress get their errors, per partition, in request order. From
 * v1 a request that may not change the replication factor says so. Moves between brokers are
 * checked with kafka-reassign-partitions on three and four nodes (ReassignPartitionsToolTest).
 */
final class AlterPartitionReassignmentsCase implements ApiCase {
  private String topic;

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.ALTER_PARTITION_REASSIGNMENTS;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    if (topic == null) {
      topic = broker.createTopic("reassign", 2);
    }
    int self = broker.nodeId();
    AlterPartitionReassignmentsRequestData request = new AlterPartitionReassignmentsRequestData().setTimeoutMs(15_000)
        .setTopics(List.of(
            new ReassignableTopic().setName(topic).setPartitions(List.of(
                partition(0, self),
                partition(1),
                new ReassignablePartition().setPartitionIndex(0).setReplicas(null),
                partition(1, self, 99),
                partition(5, self))),
            new ReassignableTopic().setName("no-such-topic").setPartitions(List.of(partition(0, self)))));
    AlterPartitionReassignmentsResponse response = broker.send(request, version);
    assertEquals(Errors.NONE.code(), response.data().errorCode());
    List<ReassignableTopicResponse> topics = response.data().responses();
    assertEquals(List.of(topic, "no-such-topic"), topics.stream().map(ReassignableTopicResponse::name).toList());
    assertEquals(List.of(0, 1, 0, 1, 5), topics.get(0).partitions().stream().map(ReassignablePartitionResponse::partitionIndex).toList());
    assertEquals(List.of(Errors.NONE, Errors.INVALID_REPLICA_ASSIGNMENT, Errors.NO_REASSIGNMENT_IN_PROGRESS,
            Errors.INVALID_REPLICA_ASSIGNMENT, Errors.UNKNOWN_TOPIC_OR_PARTITION),
        topics.get(0).partitions().stream().map(p -> Errors.forCode(p.errorCode())).toList());
    assertTrue(topics.get(0).partitions().get(3).errorMessage().contains("99"), topics.get(0).partitions().get(3).errorMessage());
    assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), topics.get(1).partitions().get(0).errorCode());
    assertEquals(List.of(self), broker.node().metadata().current().topic(topic).orElseThrow().partitions().get(0).replicas(),
        "the same replicas change nothing");

    if (version >= 1) {
      AlterPartitionReassignmentsResponse fixedFactor = broker.send(new AlterPartitionReassignmentsRequestData()
          .setAllowReplicationFactorChange(false)
          .setTopics(List.of(new ReassignableTopic().setName(topic).setPartitions(List.of(partition(0, self, 98))))), version);
      assertEquals(false, fixedFactor.data().allowReplicationFactorChange());
      ReassignablePartitionResponse refused = fixedFactor.data().responses().get(0).partitions().get(0);
      assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT.code(), refused.errorCode());
      assertTrue(refused.errorMessage().contains("replication factor"), refused.errorMessage());
    }
  }

  private static ReassignablePartition partition(int index, Integer... replicas) {
    return new ReassignablePartition().setPartitionIndex(index).setReplicas(Arrays.asList(replicas));
  }
}
