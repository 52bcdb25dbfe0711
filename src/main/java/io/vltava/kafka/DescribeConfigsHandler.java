package io.vltava.kafka;

import io.vltava.metadata.BrokerConfigs;
import io.vltava.metadata.TopicState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * DescribeConfigs: a topic's effective configs with their source; for this broker, the topic
 * defaults it applies and its dynamic configs (replication throttles). Other brokers' configs are
 * answered by those brokers.
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
  public CompletionStage<AbstractResponse> handle(RequestHeader header, AbstractRequest request) {
    DescribeConfigsRequestData data = ((DescribeConfigsRequest) request).data();
    DescribeConfigsResponseData response = new DescribeConfigsResponseData();
    for (DescribeConfigsRequestData.DescribeConfigsResource resource : data.resources()) {
      response.results().add(describe(resource));
    }
    return CompletableFuture.completedFuture(new DescribeConfigsResponse(response));
  }

  private DescribeConfigsResponseData.DescribeConfigsResult describe(DescribeConfigsRequestData.DescribeConfigsResource resource) {
    DescribeConfigsResponseData.DescribeConfigsResult result = new DescribeConfigsResponseData.DescribeConfigsResult()
        .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
    Optional<Map<String, String>> overrides;
    if (resource.resourceType() == ConfigResource.Type.TOPIC.id()) {
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
    List<TopicConfigEntries> entries = new ArrayList<>(TopicConfigEntries.of(broker.topicConfigs(), overrides.get()));
    if (resource.resourceType() == ConfigResource.Type.BROKER.id()) {
      entries.addAll(dynamicBrokerConfigs(broker.cluster().brokerConfigs(broker.localNodeId())));
    }
    List<String> keys = resource.configurationKeys();
    for (TopicConfigEntries entry : entries) {
      if (keys == null || keys.contains(entry.name())) {
        result.configs().add(new DescribeConfigsResourceResult().setName(entry.name()).setValue(entry.value())
            .setConfigSource(entry.source().id()).setReadOnly(false).setIsSensitive(false));
      }
    }
    return result;
  }

  /** The broker's dynamic configs: set ones as DYNAMIC_BROKER_CONFIG, the others at Kafka's default (unlimited). */
  private static List<TopicConfigEntries> dynamicBrokerConfigs(Map<String, String> overrides) {
    return BrokerConfigs.names().stream().sorted().map(name -> overrides.containsKey(name)
            ? new TopicConfigEntries(name, overrides.get(name), ConfigSource.DYNAMIC_BROKER_CONFIG)
            : new TopicConfigEntries(name, String.valueOf(BrokerConfigs.UNLIMITED), ConfigSource.DEFAULT_CONFIG))
        .toList();
  }
}
