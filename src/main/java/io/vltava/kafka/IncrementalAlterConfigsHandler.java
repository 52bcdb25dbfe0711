package io.vltava.kafka;

import io.vltava.log.TopicConfigs;
import io.vltava.metadata.TopicState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsResponse;

/**
 * IncrementalAlterConfigs: SET and DELETE of topic configs and of a broker's dynamic configs, and
 * APPEND and SUBTRACT on a topic's list-valued configs (cleanup.policy, the throttled-replica lists):
 * as Kafka, the values are added to or removed from the topic's current value (its override, else
 * the broker default), and the resulting list is set.
 */
final class IncrementalAlterConfigsHandler implements ApiHandler {
  private final BrokerServices broker;

  IncrementalAlterConfigsHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.INCREMENTAL_ALTER_CONFIGS;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    IncrementalAlterConfigsRequestData data = ((IncrementalAlterConfigsRequest) request).data();
    List<ConfigAlterations.Resource> resources = new ArrayList<>();
    for (IncrementalAlterConfigsRequestData.AlterConfigsResource resource : data.resources()) {
      resources.add(ConfigAlterations.authorized(broker, context, toResource(resource, currentValues(resource))));
    }
    return ConfigAlterations.apply(broker, resources, data.validateOnly()).thenApply(results -> {
      IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
      results.forEach(result -> response.responses().add(new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
          .setResourceType(result.type()).setResourceName(result.name())
          .setErrorCode(result.errorCode()).setErrorMessage(result.errorMessage())));
      return new IncrementalAlterConfigsResponse(response);
    });
  }

  /** {@code currentList} with the values of {@code valueList} appended (those not in it yet) or removed. */
  private static String edited(String currentList, String valueList, boolean append) {
    Set<String> values = new LinkedHashSet<>();
    for (String value : currentList.split(",")) {
      if (!value.isBlank()) {
        values.add(value.trim());
      }
    }
    for (String value : valueList.split(",")) {
      if (append) {
        values.add(value.trim());
      } else {
        values.remove(value.trim());
      }
    }
    return String.join(",", values);
  }

  private static boolean isList(String name) {
    return TopicConfigs.names().contains(name) && TopicConfigs.type(name) == ConfigDef.Type.LIST;
  }

  /** The effective configs of the topic a resource names; the broker defaults for an unknown topic (refused later). */
  private Map<String, String> currentValues(IncrementalAlterConfigsRequestData.AlterConfigsResource resource) {
    Map<String, String> overrides = resource.resourceType() == ConfigResource.Type.TOPIC.id()
        ? broker.cluster().topic(resource.resourceName()).map(TopicState::configs).orElse(Map.of())
        : Map.of();
    return broker.topicConfigs().effective(overrides);
  }

  private static ConfigAlterations.Resource toResource(IncrementalAlterConfigsRequestData.AlterConfigsResource resource,
      Map<String, String> current) {
    Optional<ConfigAlterations.Resource> malformed = ConfigAlterations.malformed(resource.resourceType(), resource.resourceName(),
        resource.configs().stream().map(AlterableConfig::name).toList(),
        resource.configs().stream()
            .filter(config -> config.configOperation() != AlterConfigOp.OpType.DELETE.id() && config.value() == null)
            .map(AlterableConfig::name).toList());
    if (malformed.isPresent()) {
      return malformed.get();
    }
    Map<String, Optional<String>> changes = new HashMap<>();
    for (AlterableConfig config : resource.configs()) {
      AlterConfigOp.OpType op = AlterConfigOp.OpType.forId(config.configOperation());
      if (op == null) {
        return ConfigAlterations.Resource.refused(resource.resourceType(), resource.resourceName(), Errors.INVALID_REQUEST,
            "Unknown operation type " + config.configOperation() + " for " + config.name() + ".");
      }
      if (op == AlterConfigOp.OpType.SET) {
        changes.put(config.name(), Optional.of(config.value()));
      } else if (op == AlterConfigOp.OpType.DELETE) {
        changes.put(config.name(), Optional.empty());
      } else if (resource.resourceType() != ConfigResource.Type.TOPIC.id() || !isList(config.name())) {
        return ConfigAlterations.Resource.refused(resource.resourceType(), resource.resourceName(), Errors.INVALID_CONFIG,
            op + " applies only to list-valued topic configs; " + config.name() + " is not one.");
      } else {
        changes.put(config.name(), Optional.of(edited(current.get(config.name()), config.value(), op == AlterConfigOp.OpType.APPEND)));
      }
    }
    return ConfigAlterations.of(resource.resourceType(), resource.resourceName(), changes, false);
  }
}
