package io.vltava.kafka;

import io.vltava.group.GroupCoordinator;
import io.vltava.group.GroupProtocol;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.ListGroupsResponse;
import org.apache.kafka.common.resource.ResourceType;

/**
 * ListGroups: every live group (members or committed offsets), filtered by state (v4+) and type
 * (v5+; all groups here are "classic"). Asks each known group's coordinator for its state.
 */
final class ListGroupsHandler implements ApiHandler {
  private static final String GROUP_TYPE = "classic";

  private final BrokerServices broker;

  ListGroupsHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.LIST_GROUPS;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    ListGroupsRequestData data = ((ListGroupsRequest) request).data();
    List<String> states = data.statesFilter().stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
    List<String> types = data.typesFilter().stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
    // As Kafka: DESCRIBE on the cluster lists every group, else those the principal may describe.
    boolean mayDescribeAll = broker.authorizedOnCluster(context, AclOperation.DESCRIBE);
    return broker.groups().knownGroupIds()
        .thenCompose(ids -> {
          List<CompletableFuture<GroupProtocol.Description>> described = ids.stream()
              .map(id -> broker.<GroupProtocol.Description>askGroup(id, GroupCoordinator.Describe::new, broker.requests().coordinatorTimeout())
                  .toCompletableFuture())
              .toList();
          return CompletableFuture.allOf(described.toArray(CompletableFuture[]::new))
              .thenApply(done -> described.stream().map(CompletableFuture::join).toList());
        })
        .handle((described, failure) -> {
          ListGroupsResponseData response = new ListGroupsResponseData();
          if (failure != null) {
            return new ListGroupsResponse(response.setErrorCode(BrokerServices.groupError(failure).code()));
          }
          for (GroupProtocol.Description group : described) {
            boolean dead = group.state().equals("Dead");
            if (dead || (!mayDescribeAll && !broker.authorized(context, AclOperation.DESCRIBE, ResourceType.GROUP, group.groupId())) || (!states.isEmpty() && !states.contains(group.state().toLowerCase(Locale.ROOT)))
                || (!types.isEmpty() && !types.contains(GROUP_TYPE))) {
              continue;
            }
            response.groups().add(new ListGroupsResponseData.ListedGroup().setGroupId(group.groupId())
                .setProtocolType(group.protocolType()).setGroupState(group.state()).setGroupType(GROUP_TYPE));
          }
          return new ListGroupsResponse(response.setErrorCode(Errors.NONE.code()));
        });
  }
}
