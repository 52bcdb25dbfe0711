package io.vltava.kafka;

import io.vltava.group.GroupCoordinator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResultCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DeleteGroupsResponse;
import org.apache.kafka.common.resource.ResourceType;

/** DeleteGroups: a group without members forgets its committed offsets (NON_EMPTY_GROUP otherwise). */
final class DeleteGroupsHandler implements ApiHandler {

  private final BrokerServices broker;

  DeleteGroupsHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.DELETE_GROUPS;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    DeleteGroupsRequestData data = ((DeleteGroupsRequest) request).data();
    List<CompletableFuture<DeletableGroupResult>> results = data.groupsNames().stream()
        .map(groupId -> !broker.authorized(context, AclOperation.DELETE, ResourceType.GROUP, groupId)
            ? CompletableFuture.completedFuture(new DeletableGroupResult().setGroupId(groupId)
                .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()))
            : broker.<GroupCoordinator.Outcome>askGroup(groupId, GroupCoordinator.DeleteGroup::new, broker.requests().coordinatorTimeout())
            .handle((outcome, failure) -> new DeletableGroupResult().setGroupId(groupId)
                .setErrorCode((failure == null ? outcome.error() : BrokerServices.groupError(failure)).code()))
            .toCompletableFuture())
        .toList();
    return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(done -> {
      DeletableGroupResultCollection collection = new DeletableGroupResultCollection();
      results.forEach(result -> collection.add(result.join()));
      return new DeleteGroupsResponse(new DeleteGroupsResponseData().setResults(collection));
    });
  }
}
