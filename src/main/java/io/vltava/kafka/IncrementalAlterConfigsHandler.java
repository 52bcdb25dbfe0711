package io.vltava.kafka;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * IncrementalAlterConfigs: SET and DELETE of single topic and broker configs. APPEND and SUBTRACT
 * are refused: the only list-valued configs (the throttled-replica lists) are set whole by the tools.
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
  public CompletionStage<AbstractResponse> handle(RequestHeader header, AbstractRequest request) {
    IncrementalAlterConfigsRequestData data = ((IncrementalAlterConfigsRequest) request).data();
    List<ConfigAlterations.Resource> resources = new ArrayList<>();
    for (IncrementalAlterConfigsRequestData.AlterConfigsResource resource : data.resources()) {
      resources.add(toResource(resource));
    }
    return ConfigAlterations.apply(broker, resources, data.validateOnly()).thenApply(results -> {
      IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
      results.forEach(result -> response.responses().add(new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
          .setResourceType(result.type()).setResourceName(result.name())
          .setErrorCode(result.errorCode()).setErrorMessage(result.errorMessage())));
      return new IncrementalAlterConfigsResponse(response);
    });
  }

  private static ConfigAlterations.Resource toResource(IncrementalAlterConfigsRequestData.AlterConfigsResource resource) {
    Map<String, Optional<String>> changes = new HashMap<>();
    for (IncrementalAlterConfigsRequestData.AlterableConfig config : resource.configs()) {
      AlterConfigOp.OpType op = AlterConfigOp.OpType.forId(config.configOperation());
      if (op == AlterConfigOp.OpType.SET) {
        changes.put(config.name(), Optional.ofNullable(config.value()));
      } else if (op == AlterConfigOp.OpType.DELETE) {
        changes.put(config.name(), Optional.empty());
      } else {
        return ConfigAlterations.Resource.refused(resource.resourceType(), resource.resourceName(), Errors.INVALID_CONFIG,
            "Operation " + op + " applies to list-valued configs; " + config.name() + " is not one.");
      }
    }
    return ConfigAlterations.of(resource.resourceType(), resource.resourceName(), changes, false);
  }
}
