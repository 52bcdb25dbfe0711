package io.vltava.kafka;

import io.vltava.metadata.BrokerConfigs;
import io.vltava.metadata.TopicState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * DescribeConfigs: a topic's effective configs with their source; for this broker, the topic
 * defaults it applies. Other brokers' configs are answered by those brokers.
 */
final class DescribeConfigsHandler implements ApiHandler {
  private final BrokerServices broker;

  DescribeConfigsHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.DESCRIBE_CONFIGS;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    DescribeConfigsRequestData data = ((DescribeConfigsRequest) request).data();
    DescribeConfigsResponseData response = new DescribeConfigsResponseData();
    for (DescribeConfigsRequestData.DescribeConfigsResource resource : data.resources()) {
      Errors refused = broker.configAuthorizationError(context, AclOperation.DESCRIBE_CONFIGS, resource.resourceType(), resource.resourceName());
      response.results().add(refused == Errors.NONE
          ? describe(resource, data.includeSynonyms(), data.includeDocumentation())
          : new DescribeConfigsResponseData.DescribeConfigsResult().setResourceType(resource.resourceType())
              .setResourceName(resource.resourceName()).setErrorCode(refused.code()));
    }
    return CompletableFuture.completedFuture(new DescribeConfigsResponse(response));
  }

  private DescribeConfigsResponseData.DescribeConfigsResult describe(
      DescribeConfigsRequestData.DescribeConfigsResource resource, boolean includeSynonyms, boolean includeDocumentation) {
    DescribeConfigsResponseData.DescribeConfigsResult result = new DescribeConfigsResponseData.DescribeConfigsResult()
        .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
    Optional<Map<String, String>> overrides;
    if (resource.resourceType() == ConfigResource.Type.TOPIC.id()) {
      try {
        Topic.validate(resource.resourceName());
      } catch (InvalidTopicException e) {
        return result.setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code()).setErrorMessage(e.getMessage());
      }
      overrides = broker.cluster().topic(resource.resourceName()).map(TopicState::configs);
      if (overrides.isEmpty()) {
        return result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
            .setErrorMessage("Topic '" + resource.resourceName() + "' does not exist.");
      }
    } else if (resource.resourceType() == ConfigResource.Type.BROKER.id()
        && (resource.resourceName().isEmpty() || resource.resourceName().equals(String.valueOf(broker.localNodeId())))) {
      overrides = Optional.of(Map.of());
    } else {
      return result.setErrorCode(Errors.INVALID_REQUEST.code())
          .setErrorMessage("Unsupported resource " + resource.resourceType() + "/" + resource.resourceName());
    }
    // A broker's settings come from its configuration file, but for its dynamic configs (below).
    boolean readOnly = resource.resourceType() == ConfigResource.Type.BROKER.id();
    // As Kafka: no keys (null or an empty list) asks for every config.
    List<String> keys = resource.configurationKeys();
    for (TopicConfigEntries entry : TopicConfigEntries.of(broker.topicConfigs(), overrides.get())) {
      if (keys == null || keys.isEmpty() || keys.contains(entry.name())) {
        // Type and documentation are dropped below v3 when the response is written, as in Kafka.
        result.configs().add(new DescribeConfigsResourceResult().setName(entry.name()).setValue(entry.value())
            .setConfigSource(entry.source().id()).setReadOnly(readOnly).setIsSensitive(false)
            .setSynonyms(includeSynonyms ? entry.synonyms() : List.of())
            .setConfigType(entry.configType())
            .setDocumentation(includeDocumentation ? entry.documentation() : null));
      }
    }
    if (resource.resourceType() == ConfigResource.Type.BROKER.id()) {
      addDynamicBrokerConfigs(result, keys, includeSynonyms, includeDocumentation);
    }
    return result;
  }

  /**
   * This broker's dynamic configs (the replication throttle rates, the log cleaner's I/O limit),
   * which AlterConfigs changes: a set one as DYNAMIC_BROKER_CONFIG, the others at Kafka's default,
   * unlimited, or at the node's configuration file's value (STATIC_BROKER_CONFIG) where it has one.
   */
  private void addDynamicBrokerConfigs(
      DescribeConfigsResponseData.DescribeConfigsResult result, List<String> keys, boolean includeSynonyms, boolean includeDocumentation) {
    Map<String, String> overrides = broker.cluster().brokerConfigs(broker.localNodeId());
    for (String name : BrokerConfigs.names().stream().sorted().toList()) {
      if (keys != null && !keys.isEmpty() && !keys.contains(name)) {
        continue;
      }
      String defaultValue = BrokerConfigs.kafkaDefault(name);
      List<DescribeConfigsSynonym> synonyms = new ArrayList<>();
      if (overrides.containsKey(name)) {
        synonyms.add(new DescribeConfigsSynonym().setName(name).setValue(overrides.get(name)).setSource(ConfigSource.DYNAMIC_BROKER_CONFIG.id()));
      }
      String staticValue = staticValue(name);
      if (!staticValue.equals(defaultValue)) {
        synonyms.add(new DescribeConfigsSynonym().setName(name).setValue(staticValue).setSource(ConfigSource.STATIC_BROKER_CONFIG.id()));
      }
      synonyms.add(new DescribeConfigsSynonym().setName(name).setValue(defaultValue).setSource(ConfigSource.DEFAULT_CONFIG.id()));
      result.configs().add(new DescribeConfigsResourceResult().setName(name).setValue(synonyms.get(0).value())
          .setConfigSource(synonyms.get(0).source()).setReadOnly(false).setIsSensitive(false)
          .setSynonyms(includeSynonyms ? synonyms : List.of())
          .setConfigType(ConfigType.valueOf(BrokerConfigs.type(name).name()).id())
          .setDocumentation(includeDocumentation ? BrokerConfigs.documentation(name) : null));
    }
  }

  /** A dynamic config's value in the node's configuration file; only the cleaner's I/O limit has one. */
  private String staticValue(String name) {
    return name.equals(BrokerConfigs.LOG_CLEANER_IO_MAX_BYTES_PER_SECOND)
        ? String.valueOf(broker.replicas().cleanerConfig().ioMaxBytesPerSecond())
        : BrokerConfigs.kafkaDefault(name);
  }
}
