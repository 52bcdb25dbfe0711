package io.vltava.kafka;

import io.vltava.controller.Controller;
import io.vltava.controller.TopicOutcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;

/** CreateTopics (validate_only too): the controller assigns replicas and stores the topics. */
final class CreateTopicsHandler implements ApiHandler {
  private static final short FIRST_VERSION_WITH_CONFIGS = 5;
  private final BrokerServices broker;

  CreateTopicsHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.CREATE_TOPICS;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    CreateTopicsRequestData data = ((CreateTopicsRequest) request).data();
    List<Controller.NewTopic> topics = new ArrayList<>();
    CreateTopicsResponseData response = new CreateTopicsResponseData();
    Set<String> repeated = Repeated.in(data.topics().stream().map(CreateTopicsRequestData.CreatableTopic::name).toList());
    repeated.forEach(name -> response.topics().add(new CreatableTopicResult().setName(name)
        .setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("Duplicate topic name.")));
    boolean mayCreateAny = broker.authorizedOnCluster(context, AclOperation.CREATE);
    for (CreateTopicsRequestData.CreatableTopic topic : data.topics()) {
      if (repeated.contains(topic.name())) {
        continue;
      }
      if (!mayCreateAny && !broker.authorizedOnTopic(context, AclOperation.CREATE, topic.name())) {
        response.topics().add(new CreatableTopicResult().setName(topic.name())
            .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setErrorMessage("Authorization failed."));
        continue;
      }
      if (!topic.assignments().isEmpty()) {
        response.topics().add(new CreatableTopicResult().setName(topic.name())
            .setErrorCode(Errors.INVALID_REPLICA_ASSIGNMENT.code())
            .setErrorMessage("Manual replica assignment is not supported; give a partition count and replication factor."));
        continue;
      }
      Map<String, String> configs = new HashMap<>();
      topic.configs().forEach(config -> configs.put(config.name(), config.value()));
      topics.add(new Controller.NewTopic(topic.name(), topic.numPartitions(), topic.replicationFactor(), configs));
    }
    return broker.changeTopics(replyTo -> new Controller.CreateTopics(topics, data.validateOnly(), replyTo))
        .thenApply(outcomes -> {
          outcomes.forEach(outcome -> response.topics().add(result(outcome,
              broker.authorizedOnTopic(context, AclOperation.DESCRIBE_CONFIGS, outcome.name()), context.apiVersion())));
          return new CreateTopicsResponse(response);
        });
  }

  /** {@code configsVisible} false (no DESCRIBE_CONFIGS): as Kafka, the configs are withheld and, from v5, the reason given. */
  private CreatableTopicResult result(TopicOutcome outcome, boolean configsVisible, short version) {
    CreatableTopicResult result = new CreatableTopicResult().setName(outcome.name())
        .setErrorCode(outcome.errorCode()).setErrorMessage(outcome.errorMessage());
    if (outcome.topic() == null) {
      return result.setNumPartitions(-1).setReplicationFactor((short) -1);
    }
    List<CreatableTopicConfigs> configs = new ArrayList<>();
    if (!configsVisible && version >= FIRST_VERSION_WITH_CONFIGS) {
      result.setTopicConfigErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
    }
    for (TopicConfigEntries entry : configsVisible
        ? TopicConfigEntries.of(broker.topicConfigs(), outcome.topic().configs()) : List.<TopicConfigEntries>of()) {
      configs.add(new CreatableTopicConfigs().setName(entry.name()).setValue(entry.value())
          .setConfigSource(entry.source().id()).setReadOnly(false).setIsSensitive(false));
    }
    return result
        .setTopicId(BrokerServices.toKafka(outcome.topic().topicId()))
        .setNumPartitions(outcome.topic().partitionCount())
        .setReplicationFactor((short) outcome.topic().partitions().get(0).replicas().size())
        .setConfigs(configs);
  }
}
