package io.vltava.kafka;

import io.vltava.group.GroupCoordinator;
import io.vltava.group.GroupProtocol;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.common.resource.ResourceType;

/** Heartbeat: keeps a member's session alive and tells it when the group rebalances. */
final class HeartbeatHandler implements ApiHandler {

  private final BrokerServices broker;

  HeartbeatHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.HEARTBEAT;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    if (!broker.authorized(context, AclOperation.READ, ResourceType.GROUP, ((HeartbeatRequest) request).data().groupId())) {
      return BrokerServices.refused(request, Errors.GROUP_AUTHORIZATION_FAILED);
    }
    HeartbeatRequestData data = ((HeartbeatRequest) request).data();
    GroupProtocol.MemberGeneration member =
        new GroupProtocol.MemberGeneration(data.memberId(), data.groupInstanceId(), data.generationId());
    return broker.<GroupCoordinator.Outcome>askGroup(data.groupId(), replyTo -> new GroupCoordinator.Heartbeat(member, replyTo),
            broker.requests().memberTimeout())
        .handle((outcome, failure) -> new HeartbeatResponse(new HeartbeatResponseData()
            .setErrorCode((failure == null ? outcome.error() : BrokerServices.groupError(failure)).code())));
  }
}
