package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreatePartitionsResponse;

/** CreatePartitions (the same fields at every version): growing, validate_only, and the refusals. */
final class CreatePartitionsCase implements ApiCase {

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.CREATE_PARTITIONS;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    String topic = broker.createTopic("create-partitions", 2);

    CreatePartitionsTopicResult validated = send(broker, version, true, growTo(topic, 5));
    assertEquals(Errors.NONE, Errors.forCode(validated.errorCode()), validated.errorMessage());
    assertEquals(2, partitionCount(broker, topic), "validate_only changed the partition count");

    CreatePartitionsTopicResult grown = send(broker, version, false, growTo(topic, 4));
    assertEquals(Errors.NONE, Errors.forCode(grown.errorCode()), grown.errorMessage());
    assertNull(grown.errorMessage());
    assertEquals(4, partitionCount(broker, topic));
    assertEquals(4, broker.admin().describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size());

    // Kafka's controller produces at most 10,000 records per request, one per new partition.
    assertRefused(broker, version, Errors.POLICY_VIOLATION, growTo(topic, 4 + 10_001));
    assertRefused(broker, version, Errors.INVALID_PARTITIONS, growTo(topic, 3));
    assertRefused(broker, version, Errors.INVALID_PARTITIONS, growTo(topic, 4));
    assertRefused(broker, version, Errors.UNKNOWN_TOPIC_OR_PARTITION,
        growTo(broker.uniqueTopicName("create-partitions-unknown"), 3));
    assertRefused(broker, version, Errors.INVALID_REPLICA_ASSIGNMENT, growTo(topic, 5)
        .setAssignments(List.of(new CreatePartitionsAssignment().setBrokerIds(List.of(broker.nodeId())))));
    CreatePartitionsRequestData twice = new CreatePartitionsRequestData().setTimeoutMs(30_000);
    twice.topics().add(growTo(topic, 5));
    twice.topics().add(growTo(topic, 6));
    CreatePartitionsResponse refusedTwice = broker.send(twice, version);
    assertEquals(1, refusedTwice.data().results().size());
    assertEquals(topic, refusedTwice.data().results().get(0).name());
    assertEquals(Errors.INVALID_REQUEST, Errors.forCode(refusedTwice.data().results().get(0).errorCode()));
    assertEquals(4, partitionCount(broker, topic), "a refused request changed the partition count");

    // validate_only counts against the quota too, as in Kafka's controller.
    MutationQuotaChecks.check(broker, apiKey(), version, (short) 3, (connection, first) -> {
      CreatePartitionsRequestData request = new CreatePartitionsRequestData().setTimeoutMs(30_000).setValidateOnly(true);
      request.topics().add(growTo(topic, 4 + (first ? MutationQuotaChecks.OVERDRAWING : 1)));
      return connection.send(request, version);
    }, response -> Errors.forCode(((CreatePartitionsResponse) response).data().results().get(0).errorCode()));
  }

  /** Without assignments, as Admin createPartitions(NewPartitions.increaseTo(count)) sends it: null, not empty. */
  private static CreatePartitionsTopic growTo(String topic, int count) {
    return new CreatePartitionsTopic().setName(topic).setCount(count).setAssignments(null);
  }

  private static int partitionCount(ConformanceBroker broker, String topic) {
    return broker.topic(topic).orElseThrow().partitionCount();
  }

  private static CreatePartitionsTopicResult send(ConformanceBroker broker, short version, boolean validateOnly,
      CreatePartitionsTopic topic) throws Exception {
    CreatePartitionsRequestData request = new CreatePartitionsRequestData().setTimeoutMs(30_000).setValidateOnly(validateOnly);
    request.topics().add(topic);
    CreatePartitionsResponse response = broker.send(request, version);
    assertEquals(1, response.data().results().size());
    CreatePartitionsTopicResult result = response.data().results().get(0);
    assertEquals(topic.name(), result.name());
    return result;
  }

  private static void assertRefused(ConformanceBroker broker, short version, Errors error, CreatePartitionsTopic topic)
      throws Exception {
    CreatePartitionsTopicResult result = send(broker, version, false, topic);
    assertEquals(error, Errors.forCode(result.errorCode()), result.errorMessage());
    assertNotNull(result.errorMessage(), "error message");
  }
}
