package io.vltava.kafka;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;

/** AlterConfigs (the legacy, whole-set form): a topic's overrides become exactly the given set. */
final class AlterConfigsHandler implements ApiHandler {
  private final BrokerServices broker;

  AlterConfigsHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.ALTER_CONFIGS;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    AlterConfigsRequestData data = ((AlterConfigsRequest) request).data();
    List<ConfigAlterations.Resource> resources = new ArrayList<>();
    for (AlterConfigsRequestData.AlterConfigsResource resource : data.resources()) {
      Optional<ConfigAlterations.Resource> malformed = ConfigAlterations.malformed(resource.resourceType(), resource.resourceName(),
          resource.configs().stream().map(AlterableConfig::name).toList(),
          resource.configs().stream().filter(config -> config.value() == null).map(AlterableConfig::name).toList());
      if (malformed.isPresent()) {
        resources.add(ConfigAlterations.authorized(broker, context, malformed.get()));
        continue;
      }
      Map<String, Optional<String>> changes = new HashMap<>();
      resource.configs().forEach(config -> changes.put(config.name(), Optional.of(config.value())));
      resources.add(ConfigAlterations.authorized(broker, context,
          ConfigAlterations.of(resource.resourceType(), resource.resourceName(), changes, true)));
    }
    return ConfigAlterations.apply(broker, resources, data.validateOnly()).thenApply(results -> {
      AlterConfigsResponseData response = new AlterConfigsResponseData();
      results.forEach(result -> response.responses().add(new AlterConfigsResponseData.AlterConfigsResourceResponse()
          .setResourceType(result.type()).setResourceName(result.name())
          .setErrorCode(result.errorCode()).setErrorMessage(result.errorMessage())));
      return new AlterConfigsResponse(response);
    });
  }
}
