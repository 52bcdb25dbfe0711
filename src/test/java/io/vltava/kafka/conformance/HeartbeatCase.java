package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.common.requests.JoinGroupResponse;

/**
 * Heartbeat: a stable member's heartbeat is accepted, also between its join and its sync; a
 * rebalance under way is announced with REBALANCE_IN_PROGRESS; stale generations, unknown members
 * and groups, fenced static members (v3+) and an empty group id are refused.
 */
final class HeartbeatCase implements ApiCase {
  private String topic;

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.HEARTBEAT;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    if (topic == null) {
      topic = broker.createTopic("heartbeat", 1);
    }
    String group = "heartbeat-v" + version;
    String instanceId = version >= 3 ? "heartbeat-instance-v" + version : null;
    try (ClassicMember member = new ClassicMember(broker, group, topic, instanceId);
         ClassicMember joining = new ClassicMember(broker, group, topic, null)) {
      member.join();
      assertEquals(Errors.NONE, heartbeat(member, request(member, version), version), "awaiting the leader's assignment");
      member.syncAsLeader(1);
      assertEquals(Errors.NONE, heartbeat(member, request(member, version), version));

      assertEquals(Errors.ILLEGAL_GENERATION,
          heartbeat(member, request(member, version).setGenerationId(member.generationId - 1), version));
      assertEquals(Errors.UNKNOWN_MEMBER_ID, heartbeat(member,
          request(member, version).setMemberId("conformance-unknown-member").setGroupInstanceId(null), version));
      assertEquals(Errors.UNKNOWN_MEMBER_ID,
          heartbeat(member, request(member, version).setGroupId(group + "-unknown"), version), "a group that does not exist");
      assertEquals(Errors.INVALID_GROUP_ID, heartbeat(member, request(member, version).setGroupId(""), version));
      if (version >= 3) {
        assertEquals(Errors.FENCED_INSTANCE_ID,
            heartbeat(member, request(member, version).setMemberId("conformance-other-member"), version));
      }

      joining.requestMemberId();
      ConformanceBroker.Pending<JoinGroupResponse> join = joining.startJoin();
      member.awaitRebalance();
      assertEquals(Errors.REBALANCE_IN_PROGRESS, heartbeat(member, request(member, version), version));
      member.leave();
      joining.joined(join.response());
      joining.leave();
    }
  }

  private static HeartbeatRequestData request(ClassicMember member, short version) {
    HeartbeatRequestData request = new HeartbeatRequestData().setGroupId(member.group).setMemberId(member.memberId)
        .setGenerationId(member.generationId);
    if (version >= 3) {
      request.setGroupInstanceId(member.instanceId);
    }
    return request;
  }

  private static Errors heartbeat(ClassicMember member, HeartbeatRequestData request, short version) throws Exception {
    return Errors.forCode(member.connection().<HeartbeatResponse>send(request, version).data().errorCode());
  }
}
