package io.vltava.kafka;

import io.vltava.group.GroupCoordinator;
import io.vltava.group.GroupProtocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.resource.ResourceType;

/** JoinGroup: parks at the coordinator until the group's join phase completes (up to the rebalance timeout). */
final class JoinGroupHandler implements ApiHandler {
  /** Handlers do not see the connection's peer address, so DescribeGroups shows no client host. */
  private static final String CLIENT_HOST_UNKNOWN = "";

  private final BrokerServices broker;

  JoinGroupHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.JOIN_GROUP;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    if (!broker.authorized(context, AclOperation.READ, ResourceType.GROUP, ((JoinGroupRequest) request).data().groupId())) {
      return BrokerServices.refused(request, Errors.GROUP_AUTHORIZATION_FAILED);
    }
    JoinGroupRequestData data = ((JoinGroupRequest) request).data();
    short version = context.apiVersion();
    // v0 has no rebalance timeout: the session timeout is both.
    int rebalanceTimeoutMs = version == 0 ? data.sessionTimeoutMs() : data.rebalanceTimeoutMs();
    List<GroupProtocol.Protocol> protocols = new ArrayList<>();
    data.protocols().forEach(p -> protocols.add(new GroupProtocol.Protocol(p.name(), p.metadata())));
    GroupProtocol.JoinRequest join = new GroupProtocol.JoinRequest(
        data.memberId(), data.groupInstanceId(), context.clientId(), CLIENT_HOST_UNKNOWN, data.sessionTimeoutMs(),
        rebalanceTimeoutMs, data.protocolType(), protocols, JoinGroupRequest.requiresKnownMemberId(version),
        JoinGroupRequest.supportsSkippingAssignment(version));
    return broker.<GroupProtocol.JoinResult>askGroupParked(data.groupId(), replyTo -> new GroupCoordinator.Join(join, replyTo),
            Duration.ofMillis(Math.max(0, rebalanceTimeoutMs)).plus(broker.requests().joinGroupMargin()))
        .handle((result, failure) -> {
          if (failure != null) {
            result = GroupProtocol.JoinResult.error(BrokerServices.groupError(failure).code(), data.memberId());
          }
          return new JoinGroupResponse(response(result, version), version);
        });
  }

  private static JoinGroupResponseData response(GroupProtocol.JoinResult result, short version) {
    JoinGroupResponseData response = new JoinGroupResponseData()
        .setErrorCode(result.errorCode())
        .setGenerationId(result.generationId())
        .setProtocolType(result.protocolType())
        // Before v7 the protocol name is not nullable.
        .setProtocolName(result.protocolName() == null && version < 7 ? "" : result.protocolName())
        .setLeader(result.leaderId() == null ? "" : result.leaderId())
        .setMemberId(result.memberId())
        // Only ever true for clients that support it (v9+).
        .setSkipAssignment(result.skipAssignment());
    if (result.errorCode() == Errors.NONE.code()) {
      result.members().forEach(m -> response.members().add(new JoinGroupResponseData.JoinGroupResponseMember()
          .setMemberId(m.memberId()).setGroupInstanceId(m.groupInstanceId()).setMetadata(m.metadata())));
    }
    return response;
  }
}
