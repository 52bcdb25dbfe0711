package io.vltava.kafka;

import io.vltava.group.GroupCoordinator;
import io.vltava.group.GroupProtocol;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.resource.ResourceType;

/**
 * DescribeGroups: state, protocol and members of each group; an unknown group is Dead
 * (GROUP_ID_NOT_FOUND from v6); the operations the client may perform on it when asked (v3+).
 */
final class DescribeGroupsHandler implements ApiHandler {
  private static final short FIRST_VERSION_WITH_NOT_FOUND = 6;
  private static final short FIRST_VERSION_WITH_AUTHORIZED_OPERATIONS = 3;

  private final BrokerServices broker;

  DescribeGroupsHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.DESCRIBE_GROUPS;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    DescribeGroupsRequestData data = ((DescribeGroupsRequest) request).data();
    short version = context.apiVersion();
    boolean withOperations = version >= FIRST_VERSION_WITH_AUTHORIZED_OPERATIONS && data.includeAuthorizedOperations();
    List<CompletableFuture<DescribedGroup>> groups = data.groups().stream()
        .map(groupId -> !broker.authorized(context, AclOperation.DESCRIBE, ResourceType.GROUP, groupId)
            ? CompletableFuture.completedFuture(new DescribedGroup().setGroupId(groupId)
                .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()))
            : broker.<GroupProtocol.Description>askGroup(groupId, GroupCoordinator.Describe::new, broker.requests().coordinatorTimeout())
            .handle((description, failure) -> failure == null
                ? described(description, version)
                : new DescribedGroup().setGroupId(groupId).setErrorCode(BrokerServices.groupError(failure).code()))
            .thenApply(group -> withOperations && group.errorCode() == Errors.NONE.code()
                ? group.setAuthorizedOperations(broker.authorizedOperations(context, ResourceType.GROUP, groupId)) : group)
            .toCompletableFuture())
        .toList();
    return CompletableFuture.allOf(groups.toArray(CompletableFuture[]::new)).thenApply(done ->
        new DescribeGroupsResponse(new DescribeGroupsResponseData()
            .setGroups(groups.stream().map(CompletableFuture::join).toList())));
  }

  private static DescribedGroup described(GroupProtocol.Description description, short version) {
    DescribedGroup group = new DescribedGroup().setGroupId(description.groupId()).setGroupState(description.state())
        .setProtocolType(description.protocolType()).setProtocolData(description.protocolName());
    if (description.state().equals("Dead") && version >= FIRST_VERSION_WITH_NOT_FOUND) {
      return group.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
          .setErrorMessage("Group " + description.groupId() + " not found.");
    }
    for (GroupProtocol.MemberDescription m : description.members()) {
      group.members().add(new DescribedGroupMember().setMemberId(m.memberId()).setGroupInstanceId(m.groupInstanceId())
          .setClientId(m.clientId()).setClientHost(m.clientHost())
          .setMemberMetadata(m.metadata()).setMemberAssignment(m.assignment()));
    }
    return group.setErrorCode(Errors.NONE.code());
  }
}
