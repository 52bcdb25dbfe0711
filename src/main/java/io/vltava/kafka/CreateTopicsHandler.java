package io.vltava.kafka;

import io.vltava.controller.Controller;
import io.vltava.controller.TopicOutcome;
import io.vltava.security.ControllerMutationQuota;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
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

/**
 * CreateTopics (validate_only too): the controller assigns replicas and stores the topics. Each
 * new partition counts against the client's controller_mutation_rate, validated ones too (as Kafka's
 * controller counts them); from v6 a topic over the quota is refused with THROTTLING_QUOTA_EXCEEDED.
 */
final class CreateTopicsHandler implements ApiHandler {
  private static final short FIRST_VERSION_WITH_CONFIGS = 5;
  private static final short FIRST_VERSION_WITH_STRICT_MUTATION_QUOTA = 6;
  private final BrokerServices broker;
  private final ClientThrottling throttling;
  private final int defaultPartitions;

  CreateTopicsHandler(BrokerServices broker, ClientThrottling throttling, int defaultPartitions) {
    this.broker = broker;
    this.throttling = throttling;
    this.defaultPartitions = defaultPartitions;
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
    ControllerMutationQuota quota = throttling.controllerMutationQuota(context, FIRST_VERSION_WITH_STRICT_MUTATION_QUOTA);
    Map<String, Integer> mutations = new HashMap<>();
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
      int partitions = topic.numPartitions() == -1 ? defaultPartitions : topic.numPartitions();
      // A topic the controller will refuse anyway (it exists, no partitions) mutates nothing.
      if (partitions > 0 && broker.resolveTopic(topic.name(), Uuid.ZERO_UUID).isEmpty()) {
        if (!quota.record(partitions, System.currentTimeMillis())) {
          response.topics().add(new CreatableTopicResult().setName(topic.name())
              .setErrorCode(Errors.THROTTLING_QUOTA_EXCEEDED.code()).setErrorMessage(Errors.THROTTLING_QUOTA_EXCEEDED.message())
              .setNumPartitions(-1).setReplicationFactor((short) -1));
          continue;
        }
        mutations.put(topic.name(), partitions);
      }
      Map<String, String> configs = new HashMap<>();
      topic.configs().forEach(config -> configs.put(config.name(), config.value()));
      topics.add(new Controller.NewTopic(topic.name(), topic.numPartitions(), topic.replicationFactor(), configs));
    }
    return broker.changeTopics(replyTo -> new Controller.CreateTopics(topics, data.validateOnly(), replyTo))
        .thenApply(outcomes -> {
          long nowMs = System.currentTimeMillis();
          outcomes.forEach(outcome -> {
            if (outcome.errorCode() != Errors.NONE.code()) {
              quota.unrecord(mutations.getOrDefault(outcome.name(), 0), nowMs);
            }
            response.topics().add(result(outcome,
                broker.authorizedOnTopic(context, AclOperation.DESCRIBE_CONFIGS, outcome.name()), context.apiVersion()));
          });
          response.setThrottleTimeMs((int) quota.throttleMs(nowMs));
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
