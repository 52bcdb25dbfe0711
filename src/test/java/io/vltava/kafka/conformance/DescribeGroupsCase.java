package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.utils.Utils;

/**
 * DescribeGroups as admin tools describe groups: a stable group with its protocol and its member
 * (metadata, assignment, group.instance.id from v4), a group awaiting its assignment (members
 * only, as Kafka), a group that only has committed offsets (Empty, no members), the operations the client may perform when asked (v3+: all a group has,
 * as Kafka without an authorizer), and a group that does not exist: Dead, and GROUP_ID_NOT_FOUND
 * with a message from v6.
 */
final class DescribeGroupsCase implements ApiCase {
  private static final int PARTITIONS = 2;
  private static final Set<AclOperation> GROUP_OPERATIONS = Set.of(AclOperation.READ, AclOperation.DESCRIBE,
      AclOperation.DELETE, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);
  private String topic;

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.DESCRIBE_GROUPS;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    if (topic == null) {
      topic = broker.createTopic("describe-groups", PARTITIONS);
    }
    String stable = "describe-groups-v" + version;
    String offsetsOnly = stable + "-offsets";
    String unknown = stable + "-unknown";
    String instanceId = "describe-groups-instance-v" + version;
    String awaitingAssignment = stable + "-joined";
    broker.commitOffset(offsetsOnly, topic, 0, 42);
    try (ClassicMember member = ClassicMember.stable(broker, stable, topic, instanceId, PARTITIONS);
         ClassicMember joined = new ClassicMember(broker, awaitingAssignment, topic, null)) {
      joined.join();
      DescribeGroupsRequestData request = new DescribeGroupsRequestData()
          .setGroups(List.of(stable, offsetsOnly, unknown, awaitingAssignment));
      if (version >= 3) {
        request.setIncludeAuthorizedOperations(true);
      }
      List<DescribedGroup> groups = broker.<DescribeGroupsResponse>send(request, version).data().groups();
      assertEquals(List.of(stable, offsetsOnly, unknown, awaitingAssignment),
          groups.stream().map(DescribedGroup::groupId).toList());

      DescribedGroup described = groups.get(0);
      assertEquals(Errors.NONE, Errors.forCode(described.errorCode()));
      assertEquals("Stable", described.groupState());
      assertEquals(ClassicMember.PROTOCOL_TYPE, described.protocolType());
      assertEquals(ClassicMember.ASSIGNOR, described.protocolData());
      assertEquals(1, described.members().size());
      DescribedGroupMember described0 = described.members().get(0);
      assertEquals(member.memberId, described0.memberId());
      assertEquals(version >= 4 ? instanceId : null, described0.groupInstanceId());
      assertEquals(ClassicMember.CLIENT_ID, described0.clientId());
      assertArrayEquals(ClassicMember.subscription(topic), described0.memberMetadata());
      assertArrayEquals(ClassicMember.assignment(topic, PARTITIONS), described0.memberAssignment());
      assertOperations(version, described);

      DescribedGroup empty = groups.get(1);
      assertEquals(Errors.NONE, Errors.forCode(empty.errorCode()));
      assertEquals("Empty", empty.groupState());
      assertEquals(List.of(), empty.members());
      assertOperations(version, empty);

      DescribedGroup dead = groups.get(2);
      assertEquals("Dead", dead.groupState());
      assertEquals(List.of(), dead.members());
      if (version >= 6) {
        assertEquals(Errors.GROUP_ID_NOT_FOUND, Errors.forCode(dead.errorCode()));
        assertNotNull(dead.errorMessage());
        assertEquals(Integer.MIN_VALUE, dead.authorizedOperations(), "no operations for a group that failed");
      } else {
        assertEquals(Errors.NONE, Errors.forCode(dead.errorCode()));
        assertOperations(version, dead);
      }
      if (version < 6) {
        assertNull(described.errorMessage());
      }

      DescribedGroup rebalancing = groups.get(3);
      assertEquals(Errors.NONE, Errors.forCode(rebalancing.errorCode()));
      assertEquals("CompletingRebalance", rebalancing.groupState());
      assertEquals(ClassicMember.PROTOCOL_TYPE, rebalancing.protocolType());
      assertEquals("", rebalancing.protocolData(), "no protocol until the group is stable");
      assertEquals(List.of(joined.memberId), rebalancing.members().stream().map(DescribedGroupMember::memberId).toList());
      assertArrayEquals(new byte[0], rebalancing.members().get(0).memberMetadata());
      assertArrayEquals(new byte[0], rebalancing.members().get(0).memberAssignment());
      joined.leave();
      member.leave();
    }
  }

  private static void assertOperations(short version, DescribedGroup group) {
    if (version < 3) {
      assertEquals(Integer.MIN_VALUE, group.authorizedOperations());
      return;
    }
    Set<AclOperation> operations = Utils.from32BitField(group.authorizedOperations()).stream()
        .map(AclOperation::fromCode).collect(Collectors.toSet());
    assertEquals(GROUP_OPERATIONS, operations);
  }
}
