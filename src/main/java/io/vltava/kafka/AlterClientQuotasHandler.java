package io.vltava.kafka;

import io.vltava.controller.Controller;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.AlterClientQuotasRequestData;
import org.apache.kafka.common.message.AlterClientQuotasResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterClientQuotasRequest;
import org.apache.kafka.common.requests.AlterClientQuotasResponse;

/**
 * AlterClientQuotas (kafka-configs --alter --entity-type users/clients): sets or removes the quotas
 * of user and client-id entities in the cluster metadata, through the controller; each entry is
 * answered on its own. Needs ALTER_CONFIGS on the cluster.
 */
final class AlterClientQuotasHandler implements ApiHandler {
  private final BrokerServices broker;

  AlterClientQuotasHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.ALTER_CLIENT_QUOTAS;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    if (!broker.authorizedOnCluster(context, AclOperation.ALTER_CONFIGS)) {
      return BrokerServices.refused(request, Errors.CLUSTER_AUTHORIZATION_FAILED);
    }
    AlterClientQuotasRequestData data = ((AlterClientQuotasRequest) request).data();
    List<AlterClientQuotasResponseData.EntryData> results = new ArrayList<>();
    List<Controller.QuotaChange> changes = new ArrayList<>();
    for (AlterClientQuotasRequestData.EntryData entry : data.entries()) {
      List<AlterClientQuotasResponseData.EntityData> entity = entry.entity().stream()
          .map(e -> new AlterClientQuotasResponseData.EntityData().setEntityType(e.entityType()).setEntityName(e.entityName()))
          .toList();
      AlterClientQuotasResponseData.EntryData result = new AlterClientQuotasResponseData.EntryData().setEntity(entity);
      results.add(result);
      try {
        ClientQuotaEntities.Entity parsed = ClientQuotaEntities.parse(entry.entity().stream()
            .map(e -> new ClientQuotaEntities.Component(e.entityType(), e.entityName())).toList());
        Map<String, Optional<Double>> ops = new HashMap<>();
        for (AlterClientQuotasRequestData.OpData op : entry.ops()) {
          if (ops.put(op.key(), op.remove() ? Optional.empty() : Optional.of(op.value())) != null) {
            throw new InvalidRequestException("Duplicate quota key " + op.key() + " in one entry.");
          }
        }
        changes.add(new Controller.QuotaChange(parsed.user(), parsed.clientId(), ops));
        result.setErrorCode((short) -2); // placeholder for the controller's answer
      } catch (ApiException e) {
        result.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
      }
    }
    return broker.changeMetadata(replyTo -> new Controller.AlterClientQuotas(changes, data.validateOnly(), replyTo))
        .thenApply(outcomes -> {
          Iterator<Controller.Outcome> answers = outcomes.iterator();
          for (AlterClientQuotasResponseData.EntryData result : results) {
            if (result.errorCode() == -2) {
              Controller.Outcome outcome = answers.next();
              result.setErrorCode(outcome.errorCode()).setErrorMessage(outcome.errorMessage());
            }
          }
          return new AlterClientQuotasResponse(new AlterClientQuotasResponseData().setEntries(results));
        });
  }
}
