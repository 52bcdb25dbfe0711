package io.vltava.kafka;

import io.vltava.group.GroupCoordinator;
import io.vltava.group.GroupProtocol;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupResponse;
import org.apache.kafka.common.resource.ResourceType;

/** LeaveGroup: one member (v0-2) or a batch (v3+, by member or group instance id); the rest rebalance. */
final class LeaveGroupHandler implements ApiHandler {

  private final BrokerServices broker;

  LeaveGroupHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.LEAVE_GROUP;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    if (!broker.authorized(context, AclOperation.READ, ResourceType.GROUP, ((LeaveGroupRequest) request).data().groupId())) {
      return BrokerServices.refused(request, Errors.GROUP_AUTHORIZATION_FAILED);
    }
    LeaveGroupRequest leave = (LeaveGroupRequest) request;
    List<MemberIdentity> members = leave.members();
    List<GroupProtocol.Leaving> leaving = members.stream()
        .map(m -> new GroupProtocol.Leaving(m.memberId(), m.groupInstanceId())).toList();
    short version = context.apiVersion();
    return broker.<GroupCoordinator.LeaveOutcome>askGroup(leave.data().groupId(),
            replyTo -> new GroupCoordinator.Leave(leaving, replyTo), broker.requests().memberTimeout())
        .handle((outcome, failure) -> {
          if (failure != null) {
            // As Kafka: the request's error alone, no member answers (none of them left).
            return new LeaveGroupResponse(List.of(), BrokerServices.groupError(failure), 0, version);
          }
          List<MemberResponse> responses = new ArrayList<>();
          for (int i = 0; i < members.size(); i++) {
            responses.add(new MemberResponse().setMemberId(members.get(i).memberId())
                .setGroupInstanceId(members.get(i).groupInstanceId())
                .setErrorCode(outcome.memberErrors().get(i).code()));
          }
          return new LeaveGroupResponse(responses, Errors.NONE, 0, version);
        });
  }
}
