package io.vltava.kafka;

import io.vltava.metadata.BrokerInfo;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.resource.ResourceType;

/**
 * FindCoordinator for groups: this broker, whatever the group, because group coordinators are
 * sharded entities that any node reaches. Transaction coordinators do not exist (no transactions),
 * nor share coordinators.
 */
final class FindCoordinatorHandler implements ApiHandler {
  private final BrokerServices broker;

  FindCoordinatorHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.FIND_COORDINATOR;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    FindCoordinatorRequestData data = ((FindCoordinatorRequest) request).data();
    FindCoordinatorResponseData response = new FindCoordinatorResponseData();
    if (context.apiVersion() < FindCoordinatorRequest.MIN_BATCHED_VERSION) {
      Coordinator answer = coordinator(context, data.key(), data.keyType());
      response.setErrorCode(answer.errorCode()).setErrorMessage(answer.errorMessage())
          .setNodeId(answer.nodeId()).setHost(answer.host()).setPort(answer.port());
    } else {
      List<String> keys = data.coordinatorKeys();
      keys.forEach(key -> response.coordinators().add(coordinator(context, key, data.keyType())));
    }
    return CompletableFuture.completedFuture(new FindCoordinatorResponse(response));
  }

  private Coordinator coordinator(RequestContext context, String key, byte keyType) {
    Coordinator coordinator = new Coordinator().setKey(key).setNodeId(-1).setHost("").setPort(-1);
    if (keyType == FindCoordinatorRequest.CoordinatorType.TRANSACTION.id()) {
      return coordinator.setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code())
          .setErrorMessage("Only group coordinators exist; transactions are not implemented.");
    }
    if (keyType != FindCoordinatorRequest.CoordinatorType.GROUP.id()) {
      // As Kafka without a share coordinator, or for a type it does not know.
      return coordinator.setErrorCode(Errors.INVALID_REQUEST.code())
          .setErrorMessage("No coordinators of key type " + keyType + ".");
    }
    if (!broker.authorized(context, AclOperation.DESCRIBE, ResourceType.GROUP, key)) {
      return coordinator.setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code());
    }
    Optional<BrokerInfo.Endpoint> self = broker.localBroker().flatMap(b -> b.endpoint(context.connection().listenerName()));
    if (self.isEmpty()) {
      return coordinator.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code());
    }
    return coordinator.setErrorCode(Errors.NONE.code())
        .setNodeId(broker.localNodeId()).setHost(self.get().host()).setPort(self.get().port());
  }
}
