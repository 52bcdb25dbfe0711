package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.LeaveGroupResponse;

/**
 * LeaveGroup: one member by id before v3; from v3 a batch naming members by member id or by
 * group.instance.id, answered member by member (unknown and fenced ones refused, the others
 * removed), with a reason from v5. Members that left are unknown to the group afterwards. An
 * empty group id fails the request (INVALID_GROUP_ID) without member answers.
 */
final class LeaveGroupCase implements ApiCase {
  private String topic;

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.LEAVE_GROUP;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    if (topic == null) {
      topic = broker.createTopic("leave-group", 2);
    }
    String group = "leave-group-v" + version;
    LeaveGroupRequestData noGroup = new LeaveGroupRequestData().setGroupId("");
    if (version < 3) {
      noGroup.setMemberId("conformance-member");
    } else {
      noGroup.setMembers(List.of(identity(version, "conformance-member", null)));
    }
    LeaveGroupResponseData refused = broker.<LeaveGroupResponse>send(noGroup, version).data();
    assertEquals(Errors.INVALID_GROUP_ID, Errors.forCode(refused.errorCode()));
    assertEquals(List.of(), refused.members(), "no member answers when the request fails");
    if (version < 3) {
      try (ClassicMember member = ClassicMember.stable(broker, group, topic, null, 2)) {
        LeaveGroupRequestData unknown = new LeaveGroupRequestData().setGroupId(group).setMemberId("conformance-unknown-member");
        assertEquals(Errors.UNKNOWN_MEMBER_ID, Errors.forCode(leave(member, unknown, version).errorCode()));
        LeaveGroupResponseData left = leave(member, new LeaveGroupRequestData().setGroupId(group).setMemberId(member.memberId), version);
        assertEquals(Errors.NONE, Errors.forCode(left.errorCode()));
        assertEquals(Errors.UNKNOWN_MEMBER_ID, member.heartbeat(), "the member left");
      }
      return;
    }
    String instanceId = "leave-group-instance-v" + version;
    try (ClassicMember dynamic = ClassicMember.stable(broker, group, topic, null, 2);
         ClassicMember staticMember = ClassicMember.joinSecond(broker, dynamic, instanceId, 2)) {
      List<MemberIdentity> leaving = List.of(
          identity(version, staticMember.memberId + "-stale", instanceId),
          identity(version, "conformance-unknown-member", null),
          identity(version, dynamic.memberId, null),
          identity(version, "", instanceId));
      LeaveGroupResponseData left = leave(dynamic, new LeaveGroupRequestData().setGroupId(group).setMembers(leaving), version);
      assertEquals(Errors.NONE, Errors.forCode(left.errorCode()));
      assertEquals(List.of(Errors.FENCED_INSTANCE_ID, Errors.UNKNOWN_MEMBER_ID, Errors.NONE, Errors.NONE),
          left.members().stream().map(m -> Errors.forCode(m.errorCode())).toList());
      assertEquals(leaving.stream().map(MemberIdentity::memberId).toList(),
          left.members().stream().map(MemberResponse::memberId).toList());
      assertEquals(leaving.stream().map(MemberIdentity::groupInstanceId).toList(),
          left.members().stream().map(MemberResponse::groupInstanceId).toList());
      assertEquals(Errors.UNKNOWN_MEMBER_ID, dynamic.heartbeat(), "left by member id");
      assertEquals(Errors.UNKNOWN_MEMBER_ID, staticMember.heartbeat(), "left by instance id");
    }
  }

  private static MemberIdentity identity(short version, String memberId, String instanceId) {
    MemberIdentity identity = new MemberIdentity().setMemberId(memberId).setGroupInstanceId(instanceId);
    return version >= 5 ? identity.setReason("conformance: shutting down") : identity;
  }

  private static LeaveGroupResponseData leave(ClassicMember member, LeaveGroupRequestData request, short version)
      throws Exception {
    return member.connection().<LeaveGroupResponse>send(request, version).data();
  }
}
