package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.SyncGroupResponse;

/**
 * JoinGroup as consumers of each version join: a member id handed out with MEMBER_ID_REQUIRED from
 * v4 (KIP-394), static members from v5 (a restarted instance takes over without a rebalance, the
 * old member id is fenced; a restarted leader skips the assignment from v9, KIP-814), the protocol
 * type echoed from v7; and the refusals: unknown member, protocols the group
 * cannot share, session timeouts out of range, an empty group id.
 */
final class JoinGroupCase implements ApiCase {
  private String topic;

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.JOIN_GROUP;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    if (topic == null) {
      topic = broker.createTopic("join-group", 2);
    }
    String group = "join-group-v" + version;
    try (ClassicMember member = new ClassicMember(broker, group, topic, null);
         ClassicMember other = new ClassicMember(broker, group, topic, null)) {
      if (version >= 4) {
        JoinGroupResponseData required = join(member, member.joinRequest(version), version);
        assertEquals(Errors.MEMBER_ID_REQUIRED, Errors.forCode(required.errorCode()));
        assertFalse(required.memberId().isEmpty(), "the member id to join with");
        assertEquals(-1, required.generationId());
        member.memberId = required.memberId();
      }
      JoinGroupResponseData joined = join(member, member.joinRequest(version), version);
      assertEquals(Errors.NONE, Errors.forCode(joined.errorCode()));
      if (version >= 4) {
        assertEquals(member.memberId, joined.memberId());
      }
      assertFalse(joined.memberId().isEmpty());
      assertEquals(1, joined.generationId());
      assertEquals(joined.memberId(), joined.leader(), "the only member leads");
      assertEquals(ClassicMember.ASSIGNOR, joined.protocolName());
      assertEquals(version >= 7 ? ClassicMember.PROTOCOL_TYPE : null, joined.protocolType());
      assertFalse(joined.skipAssignment());
      assertEquals(1, joined.members().size());
      assertEquals(joined.memberId(), joined.members().get(0).memberId());
      assertNull(joined.members().get(0).groupInstanceId());
      assertArrayEquals(ClassicMember.subscription(topic), joined.members().get(0).metadata());
      member.joined(new JoinGroupResponse(joined, version));
      member.syncAsLeader(2);

      JoinGroupRequestData otherType = other.joinRequest(version).setProtocolType("connect");
      assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL, error(other, otherType, version), "another protocol type");
      JoinGroupRequestProtocolCollection unshared = new JoinGroupRequestProtocolCollection();
      unshared.add(new JoinGroupRequestProtocol().setName("sticky").setMetadata(ClassicMember.subscription(topic)));
      assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL, error(other, other.joinRequest(version).setProtocols(unshared), version),
          "no protocol in common with the members");
      assertEquals(Errors.UNKNOWN_MEMBER_ID,
          error(other, other.joinRequest(version).setMemberId("conformance-unknown-member"), version));
      assertEquals(Errors.INVALID_SESSION_TIMEOUT, error(other, other.joinRequest(version).setSessionTimeoutMs(1), version));
      assertEquals(Errors.INVALID_GROUP_ID, error(other, other.joinRequest(version).setGroupId(""), version));
      assertEquals(Errors.NONE, member.heartbeat(), "the refused joins left the group as it was");
      member.leave();
    }
    if (version >= 5) {
      checkStaticMembers(broker, version);
    }
  }

  /** A static member joins without MEMBER_ID_REQUIRED; its restart takes over and fences the old member id. */
  private void checkStaticMembers(ConformanceBroker broker, short version) throws Exception {
    String group = "join-group-static-v" + version;
    String instanceId = "conformance-instance-v" + version;
    try (ClassicMember first = new ClassicMember(broker, group, topic, instanceId);
         ClassicMember restarted = new ClassicMember(broker, group, topic, instanceId)) {
      JoinGroupResponseData joined = join(first, first.joinRequest(version), version);
      assertEquals(Errors.NONE, Errors.forCode(joined.errorCode()), "static members need no second join");
      assertEquals(instanceId, joined.members().get(0).groupInstanceId());
      first.joined(new JoinGroupResponse(joined, version));
      first.syncAsLeader(2);

      JoinGroupResponseData takeover = join(restarted, restarted.joinRequest(version), version);
      assertEquals(Errors.NONE, Errors.forCode(takeover.errorCode()));
      assertNotEquals(first.memberId, takeover.memberId(), "the restarted instance gets a new member id");
      assertEquals(first.generationId, takeover.generationId(), "no rebalance (KIP-345)");
      if (version >= 9) {
        assertTrue(takeover.skipAssignment(), "the restarted leader keeps the assignment (KIP-814)");
        assertEquals(takeover.memberId(), takeover.leader());
        assertEquals(List.of(takeover.memberId()), takeover.members().stream().map(JoinGroupResponseMember::memberId).toList());
      } else {
        assertFalse(takeover.skipAssignment());
        assertEquals(first.memberId, takeover.leader(), "told the old member id leads, it syncs as a follower");
        assertEquals(List.of(), takeover.members());
      }
      assertEquals(Errors.FENCED_INSTANCE_ID, error(first, first.joinRequest(version), version), "the old member id");
      restarted.joined(new JoinGroupResponse(takeover, version));
      SyncGroupResponse synced = restarted.connection().send(
          restarted.syncRequest(ClassicMember.NEWEST_SYNC, Map.of()), ClassicMember.NEWEST_SYNC);
      assertEquals(Errors.NONE, Errors.forCode(synced.data().errorCode()));
      assertArrayEquals(ClassicMember.assignment(topic, 2), synced.data().assignment(), "the assignment it had");
      restarted.leave();
    }
  }

  private static JoinGroupResponseData join(ClassicMember member, JoinGroupRequestData request, short version)
      throws Exception {
    return member.connection().<JoinGroupResponse>send(request, version).data();
  }

  private static Errors error(ClassicMember member, JoinGroupRequestData request, short version) throws Exception {
    return Errors.forCode(join(member, request, version).errorCode());
  }
}
