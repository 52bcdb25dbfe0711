package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteTopicsResponse;

/**
 * DeleteTopics: v1-v5 name topics, v6 names or ids them (Admin deleteTopics(TopicCollection.ofTopicIds)).
 * Error messages come from v5.
 */
final class DeleteTopicsCase implements ApiCase {

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.DELETE_TOPICS;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    String byName = broker.createTopic("delete-topics", 2);
    String byId = broker.createTopic("delete-topics-by-id", 1);
    Uuid byNameId = broker.topicId(byName);
    Uuid id = broker.topicId(byId);
    String unknown = broker.uniqueTopicName("delete-topics-unknown");
    Uuid unknownId = Uuid.randomUuid();

    DeleteTopicsRequestData request = new DeleteTopicsRequestData().setTimeoutMs(30_000);
    if (version >= 6) {
      request.setTopics(List.of(
          new DeleteTopicState().setName(byName),
          new DeleteTopicState().setTopicId(id),
          new DeleteTopicState().setName(unknown),
          new DeleteTopicState().setTopicId(unknownId)));
    } else {
      request.setTopicNames(List.of(byName, byId, unknown));
    }
    DeleteTopicsResponse response = broker.send(request, version);
    assertEquals(version >= 6 ? 4 : 3, response.data().responses().size());

    assertDeleted(version, result(response, byName), byNameId);
    assertDeleted(version, result(response, byId), id);
    DeletableTopicResult missing = result(response, unknown);
    assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.forCode(missing.errorCode()));
    assertEquals(Uuid.ZERO_UUID, missing.topicId());
    if (version >= 6) {
      DeletableTopicResult missingId = response.data().responses().stream()
          .filter(r -> unknownId.equals(r.topicId())).findFirst().orElseThrow(() -> new AssertionError("no result for " + unknownId));
      assertEquals(Errors.UNKNOWN_TOPIC_ID, Errors.forCode(missingId.errorCode()));
      assertNull(missingId.name());
    }
    assertTrue(broker.topic(byName).isEmpty(), byName + " still in the metadata");
    assertTrue(broker.topic(byId).isEmpty(), byId + " still in the metadata");
    assertTrue(broker.admin().listTopics().names().get().stream().noneMatch(name -> name.equals(byName) || name.equals(byId)));
    checkRefusals(broker, version);
    checkMutationQuota(broker, version);
  }

  /** Deleting a topic counts its partitions; one refused for the quota stays. */
  private void checkMutationQuota(ConformanceBroker broker, short version) throws Exception {
    String overdrawing = broker.createTopic("delete-topics-quota", MutationQuotaChecks.OVERDRAWING);
    String refused = broker.createTopic("delete-topics-quota-refused", 1);
    MutationQuotaChecks.check(broker, apiKey(), version, (short) 5, (connection, first) -> {
      String name = first ? overdrawing : refused;
      DeleteTopicsRequestData request = new DeleteTopicsRequestData().setTimeoutMs(30_000);
      if (version >= 6) {
        request.setTopics(List.of(new DeleteTopicState().setName(name)));
      } else {
        request.setTopicNames(List.of(name));
      }
      return connection.send(request, version);
    }, response -> Errors.forCode(((DeleteTopicsResponse) response).data().responses().iterator().next().errorCode()));
    assertTrue(broker.topic(overdrawing).isEmpty(), overdrawing + " still in the metadata");
    if (version >= 5) {
      assertTrue(broker.topic(refused).isPresent(), "a topic refused for the quota was deleted");
    }
    broker.admin().deleteTopics(List.of(refused)).all().get();
  }

  /** As Kafka, a topic named twice (by name, by id, or by both) is refused and kept; so is an entry naming it both ways or neither. */
  private static void checkRefusals(ConformanceBroker broker, short version) throws Exception {
    String kept = broker.createTopic("delete-topics-kept", 1);
    Uuid keptId = broker.topicId(kept);
    if (version < 6) {
      assertRefused(broker, version, kept, Uuid.ZERO_UUID, new DeleteTopicsRequestData().setTopicNames(List.of(kept, kept)));
    } else {
      DeleteTopicState byName = new DeleteTopicState().setName(kept);
      DeleteTopicState byId = new DeleteTopicState().setTopicId(keptId);
      assertRefused(broker, version, kept, Uuid.ZERO_UUID, new DeleteTopicsRequestData().setTopics(List.of(byName, byName)));
      assertRefused(broker, version, null, keptId, new DeleteTopicsRequestData().setTopics(List.of(byId, byId)));
      assertRefused(broker, version, kept, keptId, new DeleteTopicsRequestData().setTopics(List.of(byName, byId)));
      assertRefused(broker, version, kept, keptId,
          new DeleteTopicsRequestData().setTopics(List.of(new DeleteTopicState().setName(kept).setTopicId(keptId))));
      assertRefused(broker, version, null, Uuid.ZERO_UUID, new DeleteTopicsRequestData().setTopics(List.of(new DeleteTopicState())));
    }
    assertTrue(broker.topic(kept).isPresent(), "a refused request deleted " + kept);
  }

  private static void assertRefused(ConformanceBroker broker, short version, String name, Uuid topicId,
      DeleteTopicsRequestData request) throws Exception {
    DeleteTopicsResponse response = broker.send(request.setTimeoutMs(30_000), version);
    assertEquals(1, response.data().responses().size());
    DeletableTopicResult result = response.data().responses().iterator().next();
    assertEquals(Errors.INVALID_REQUEST, Errors.forCode(result.errorCode()));
    assertEquals(name, result.name());
    assertEquals(version >= 6 ? topicId : Uuid.ZERO_UUID, result.topicId());
  }

  private static DeletableTopicResult result(DeleteTopicsResponse response, String name) {
    return response.data().responses().stream().filter(r -> name.equals(r.name())).findFirst()
        .orElseThrow(() -> new AssertionError("no result for " + name));
  }

  private static void assertDeleted(short version, DeletableTopicResult result, Uuid topicId) {
    assertEquals(Errors.NONE, Errors.forCode(result.errorCode()), result.errorMessage());
    assertNull(result.errorMessage());
    assertEquals(version >= 6 ? topicId : Uuid.ZERO_UUID, result.topicId());
    assertNotNull(result.name());
  }
}
