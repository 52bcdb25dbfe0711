package io.vltava.kafka;

import io.vltava.controller.Controller;
import io.vltava.controller.TopicOutcome;
import io.vltava.metadata.TopicState;
import io.vltava.security.ControllerMutationQuota;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DeleteTopicsResponse;

/**
 * DeleteTopics, by name or (v6) by id: the controller removes them; each broker then deletes its
 * logs. Each deleted partition counts against the client's controller_mutation_rate; from v5 a
 * topic over the quota is refused with THROTTLING_QUOTA_EXCEEDED.
 */
final class DeleteTopicsHandler implements ApiHandler {
  private static final short FIRST_VERSION_WITH_STRICT_MUTATION_QUOTA = 5;
  private final BrokerServices broker;
  private final ClientThrottling throttling;

  DeleteTopicsHandler(BrokerServices broker, ClientThrottling throttling) {
    this.broker = broker;
    this.throttling = throttling;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.DELETE_TOPICS;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    DeleteTopicsResponseData response = new DeleteTopicsResponseData();
    List<DeleteTopicState> topics = ((DeleteTopicsRequest) request).topics();
    Set<String> repeatedNames = Repeated.in(topics.stream().filter(t -> t.name() != null && !usesId(t)).map(DeleteTopicState::name).toList());
    Set<Uuid> repeatedIds = Repeated.in(topics.stream().filter(t -> t.name() == null && usesId(t)).map(DeleteTopicState::topicId).toList());
    repeatedNames.forEach(name -> response.responses().add(refused(name, Uuid.ZERO_UUID, "Duplicate topic name.")));
    repeatedIds.forEach(id -> response.responses().add(refused(null, id, "Duplicate topic id.")));
    List<TopicState> found = new ArrayList<>();
    for (DeleteTopicState topic : topics) {
      if (topic.name() == null && !usesId(topic)) {
        response.responses().add(refused(null, Uuid.ZERO_UUID, "Neither topic name nor id were specified."));
      } else if (topic.name() != null && usesId(topic)) {
        response.responses().add(refused(topic.name(), topic.topicId(), "You may not specify both topic name and topic id."));
      } else if (!repeatedNames.contains(topic.name()) && !repeatedIds.contains(topic.topicId())) {
        Optional<TopicState> known = broker.resolveTopic(topic.name(), topic.topicId());
        String name = known.map(TopicState::name).orElse(topic.name());
        if (name != null && !broker.authorizedOnTopic(context, AclOperation.DELETE, name)) {
          response.responses().add(new DeletableTopicResult().setName(topic.name()).setTopicId(topic.topicId())
              .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
        } else if (known.isEmpty()) {
          response.responses().add(new DeletableTopicResult().setName(topic.name()).setTopicId(topic.topicId())
              .setErrorCode(BrokerServices.unknownTopicError(topic.topicId()).code()));
        } else {
          found.add(known.get());
        }
      }
    }
    // A name and an id of the same topic: as Kafka, neither deletes it.
    Set<String> namedTwice = Repeated.in(found.stream().map(TopicState::name).toList());
    found.stream().filter(topic -> namedTwice.contains(topic.name())).distinct()
        .forEach(topic -> response.responses().add(refused(topic.name(), BrokerServices.toKafka(topic.topicId()),
            "The provided topic name maps to an ID that was already supplied.")));
    ControllerMutationQuota quota = throttling.controllerMutationQuota(context, FIRST_VERSION_WITH_STRICT_MUTATION_QUOTA);
    Map<String, Integer> mutations = new HashMap<>();
    List<String> names = new ArrayList<>();
    for (TopicState topic : found) {
      if (namedTwice.contains(topic.name())) {
        continue;
      }
      if (quota.record(topic.partitionCount(), System.currentTimeMillis())) {
        mutations.put(topic.name(), topic.partitionCount());
        names.add(topic.name());
      } else {
        response.responses().add(new DeletableTopicResult().setName(topic.name()).setTopicId(BrokerServices.toKafka(topic.topicId()))
            .setErrorCode(Errors.THROTTLING_QUOTA_EXCEEDED.code()).setErrorMessage(Errors.THROTTLING_QUOTA_EXCEEDED.message()));
      }
    }
    return broker.changeTopics(replyTo -> new Controller.DeleteTopics(names, replyTo))
        .thenApply(outcomes -> {
          long nowMs = System.currentTimeMillis();
          for (TopicOutcome outcome : outcomes) {
            if (outcome.errorCode() != Errors.NONE.code()) {
              quota.unrecord(mutations.getOrDefault(outcome.name(), 0), nowMs);
            }
            response.responses().add(new DeletableTopicResult().setName(outcome.name())
                .setTopicId(outcome.topic() == null ? Uuid.ZERO_UUID : BrokerServices.toKafka(outcome.topic().topicId()))
                .setErrorCode(outcome.errorCode()).setErrorMessage(outcome.errorMessage()));
          }
          response.setThrottleTimeMs((int) quota.throttleMs(nowMs));
          return new DeleteTopicsResponse(response);
        });
  }

  private static boolean usesId(DeleteTopicState topic) {
    return !Uuid.ZERO_UUID.equals(topic.topicId());
  }

  private static DeletableTopicResult refused(String name, Uuid topicId, String message) {
    return new DeletableTopicResult().setName(name).setTopicId(topicId)
        .setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage(message);
  }
}
