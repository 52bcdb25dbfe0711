package io.vltava.kafka;

import io.vltava.metadata.ClientQuota;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeClientQuotasRequest;
import org.apache.kafka.common.requests.DescribeClientQuotasResponse;

/**
 * DescribeClientQuotas (kafka-configs --describe --entity-type users/clients): the quotas of the
 * entities matching every filter component (a name, the default, or any name of that type); with
 * {@code strict} an entity may have no other component. Needs DESCRIBE_CONFIGS on the cluster.
 */
final class DescribeClientQuotasHandler implements ApiHandler {
  private final BrokerServices broker;

  DescribeClientQuotasHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.DESCRIBE_CLIENT_QUOTAS;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    if (!broker.authorizedOnCluster(context, AclOperation.DESCRIBE_CONFIGS)) {
      return BrokerServices.refused(request, Errors.CLUSTER_AUTHORIZATION_FAILED);
    }
    DescribeClientQuotasRequestData data = ((DescribeClientQuotasRequest) request).data();
    Set<String> filtered = new HashSet<>();
    for (DescribeClientQuotasRequestData.ComponentData component : data.components()) {
      if (!ClientQuotaEntity.USER.equals(component.entityType()) && !ClientQuotaEntity.CLIENT_ID.equals(component.entityType())) {
        return refused(request, "Unsupported quota entity type " + component.entityType());
      }
      if (!filtered.add(component.entityType())) {
        return refused(request, "Duplicate filter component for " + component.entityType());
      }
      if (component.matchType() != DescribeClientQuotasRequest.MATCH_TYPE_EXACT && component.match() != null) {
        return refused(request, "A default or any-name filter component takes no name");
      }
    }
    List<DescribeClientQuotasResponseData.EntryData> entries = new ArrayList<>();
    for (ClientQuota quota : broker.cluster().clientQuotas()) {
      List<ClientQuotaEntities.Component> entity = ClientQuotaEntities.components(quota);
      if (!matches(entity, data)) {
        continue;
      }
      entries.add(new DescribeClientQuotasResponseData.EntryData()
          .setEntity(entity.stream().map(c -> new DescribeClientQuotasResponseData.EntityData()
              .setEntityType(c.type()).setEntityName(c.name())).toList())
          .setValues(quota.values().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
              .map(v -> new DescribeClientQuotasResponseData.ValueData().setKey(v.getKey()).setValue(v.getValue())).toList()));
    }
    return CompletableFuture.completedFuture(new DescribeClientQuotasResponse(new DescribeClientQuotasResponseData().setEntries(entries)));
  }

  private static boolean matches(List<ClientQuotaEntities.Component> entity, DescribeClientQuotasRequestData data) {
    for (DescribeClientQuotasRequestData.ComponentData filter : data.components()) {
      ClientQuotaEntities.Component component = entity.stream()
          .filter(c -> c.type().equals(filter.entityType())).findFirst().orElse(null);
      if (component == null) {
        return false;
      }
      boolean nameMatches = switch (filter.matchType()) {
        case DescribeClientQuotasRequest.MATCH_TYPE_EXACT -> filter.match() != null && filter.match().equals(component.name());
        case DescribeClientQuotasRequest.MATCH_TYPE_DEFAULT -> component.name() == null;
        default -> true;
      };
      if (!nameMatches) {
        return false;
      }
    }
    return !data.strict() || entity.size() == data.components().size();
  }

  private static CompletionStage<AbstractResponse> refused(AbstractRequest request, String message) {
    return CompletableFuture.completedFuture(request.getErrorResponse(new InvalidRequestException(message)));
  }
}
