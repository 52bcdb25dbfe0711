package io.vltava.kafka;

import io.vltava.group.GroupCoordinator;
import io.vltava.group.GroupProtocol;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.requests.SyncGroupResponse;
import org.apache.kafka.common.resource.ResourceType;

/** SyncGroup: a follower's sync parks at the coordinator until the leader's brings the assignment. */
final class SyncGroupHandler implements ApiHandler {
  private final BrokerServices broker;

  SyncGroupHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.SYNC_GROUP;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    if (!broker.authorized(context, AclOperation.READ, ResourceType.GROUP, ((SyncGroupRequest) request).data().groupId())) {
      return BrokerServices.refused(request, Errors.GROUP_AUTHORIZATION_FAILED);
    }
    SyncGroupRequestData data = ((SyncGroupRequest) request).data();
    GroupProtocol.SyncRequest sync = new GroupProtocol.SyncRequest(data.memberId(), data.groupInstanceId(),
        data.generationId(), data.protocolType(), data.protocolName(),
        data.assignments().stream().map(a -> new GroupProtocol.Assignment(a.memberId(), a.assignment())).toList());
    return broker.<GroupProtocol.SyncResult>askGroupParked(data.groupId(), replyTo -> new GroupCoordinator.Sync(sync, replyTo),
            broker.requests().syncGroupTimeout())
        .handle((result, failure) -> {
          if (failure != null) {
            result = new GroupProtocol.SyncResult(BrokerServices.groupError(failure).code(), null, null, new byte[0]);
          }
          return new SyncGroupResponse(new SyncGroupResponseData()
              .setErrorCode(result.errorCode())
              .setProtocolType(result.protocolType())
              .setProtocolName(result.protocolName())
              .setAssignment(result.assignment()));
        });
  }
}
