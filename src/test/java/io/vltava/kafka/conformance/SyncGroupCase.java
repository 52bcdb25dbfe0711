package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.SyncGroupResponse;

/**
 * SyncGroup: the leader hands out the assignment and gets its own back (a repeated sync in the
 * stable group gets it again); protocol type and name checked from v5, static members from v3;
 * stale generations, unknown members, a rebalance under way and an empty group id are refused.
 */
final class SyncGroupCase implements ApiCase {
  private static final int PARTITIONS = 2;
  private String topic;

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.SYNC_GROUP;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    if (topic == null) {
      topic = broker.createTopic("sync-group", PARTITIONS);
    }
    String group = "sync-group-v" + version;
    String instanceId = version >= 3 ? "sync-group-instance-v" + version : null;
    byte[] assignment = ClassicMember.assignment(topic, PARTITIONS);
    try (ClassicMember leader = new ClassicMember(broker, group, topic, instanceId)) {
      leader.join();
      Map<String, byte[]> assignments = Map.of(leader.memberId, assignment);
      assertSynced(sync(leader, leader.syncRequest(version, assignments), version), assignment, version);
      assertSynced(sync(leader, leader.syncRequest(version, Map.of()), version), assignment, version);

      assertEquals(Errors.ILLEGAL_GENERATION, error(leader,
          leader.syncRequest(version, assignments).setGenerationId(leader.generationId + 1), version));
      assertEquals(Errors.UNKNOWN_MEMBER_ID, error(leader,
          leader.syncRequest(version, assignments).setMemberId("conformance-unknown-member").setGroupInstanceId(null), version));
      assertEquals(Errors.UNKNOWN_MEMBER_ID, error(leader,
          leader.syncRequest(version, assignments).setGroupId(group + "-unknown"), version), "a group that does not exist");
      assertEquals(Errors.INVALID_GROUP_ID, error(leader, leader.syncRequest(version, assignments).setGroupId(""), version));
      if (version >= 3) {
        assertEquals(Errors.FENCED_INSTANCE_ID, error(leader,
            leader.syncRequest(version, assignments).setMemberId("conformance-other-member"), version));
      }
      if (version >= 5) {
        assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL, error(leader,
            leader.syncRequest(version, assignments).setProtocolName(ClassicMember.OTHER_ASSIGNOR), version));
        assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL, error(leader,
            leader.syncRequest(version, assignments).setProtocolType("connect"), version));
      }
      checkRebalanceInProgress(broker, leader, version);
    }
  }

  /** While a second member's join holds a rebalance open, the leader's sync of the old generation is refused. */
  private void checkRebalanceInProgress(ConformanceBroker broker, ClassicMember leader, short version) throws Exception {
    try (ClassicMember joining = new ClassicMember(broker, leader.group, topic, "sync-group-joining-v" + version)) {
      ConformanceBroker.Pending<JoinGroupResponse> join = joining.startJoin();
      leader.awaitRebalance();
      assertEquals(Errors.REBALANCE_IN_PROGRESS, error(leader, leader.syncRequest(version, Map.of()), version));
      leader.leave();
      joining.joined(join.response()); // completes once the leader left
      joining.leave();
    }
  }

  private static SyncGroupResponseData sync(ClassicMember member, SyncGroupRequestData request, short version)
      throws Exception {
    return member.connection().<SyncGroupResponse>send(request, version).data();
  }

  private static Errors error(ClassicMember member, SyncGroupRequestData request, short version) throws Exception {
    return Errors.forCode(sync(member, request, version).errorCode());
  }

  private static void assertSynced(SyncGroupResponseData synced, byte[] assignment, short version) {
    assertEquals(Errors.NONE, Errors.forCode(synced.errorCode()));
    assertArrayEquals(assignment, synced.assignment());
    if (version >= 5) {
      assertEquals(ClassicMember.PROTOCOL_TYPE, synced.protocolType());
      assertEquals(ClassicMember.ASSIGNOR, synced.protocolName());
    } else {
      assertNull(synced.protocolType());
      assertNull(synced.protocolName());
    }
  }
}
