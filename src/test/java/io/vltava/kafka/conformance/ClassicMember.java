package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.LeaveGroupResponse;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.SyncGroupResponse;
import org.awaitility.Awaitility;

/**
 * A member of a classic group as the group APIs' cases drive it: JoinGroup and SyncGroup built as
 * a kafka-clients consumer of a given version builds them ("range" preferred over "roundrobin",
 * subscribed to one topic), over a connection of its own because the coordinator parks joins and
 * syncs. Without a version it speaks the newest ones the node serves, to set a group up.
 */
final class ClassicMember implements AutoCloseable {
  static final String PROTOCOL_TYPE = "consumer";
  static final String ASSIGNOR = "range";
  static final String OTHER_ASSIGNOR = "roundrobin";
  static final String CLIENT_ID = "conformance";
  static final int SESSION_TIMEOUT_MS = 10_000;
  /** Short: no case waits for it, but a member a case leaves behind holds a rebalance only this long. */
  static final int REBALANCE_TIMEOUT_MS = 4_000;
  static final short NEWEST_JOIN = 9;
  static final short NEWEST_SYNC = 5;
  static final short NEWEST_HEARTBEAT = 4;
  static final short NEWEST_LEAVE = 5;
  static final short NEWEST_COMMIT = 9;

  final String group;
  final String topic;
  final String instanceId;
  private final ConformanceBroker.Connection connection;
  String memberId = "";
  int generationId = -1;
  String leaderId = "";
  /** The members the leader got in its last join, by member id, with their subscriptions. */
  final Map<String, byte[]> joinedMembers = new LinkedHashMap<>();

  /** {@code instanceId}: null for a dynamic member, else its group.instance.id (static membership). */
  ClassicMember(ConformanceBroker broker, String group, String topic, String instanceId) throws IOException {
    this.connection = broker.connect();
    this.group = group;
    this.topic = topic;
    this.instanceId = instanceId;
  }

  /** A dynamic member that joined and synced as the group's only member, assigned every partition of {@code partitions}. */
  static ClassicMember stable(ConformanceBroker broker, String group, String topic, String instanceId, int partitions)
      throws IOException {
    ClassicMember member = new ClassicMember(broker, group, topic, instanceId);
    member.join();
    member.syncAsLeader(partitions);
    return member;
  }

  ConformanceBroker.Connection connection() {
    return connection;
  }

  static byte[] subscription(String topic) {
    return bytes(ConsumerProtocol.serializeSubscription(new ConsumerPartitionAssignor.Subscription(List.of(topic))));
  }

  static byte[] assignment(String topic, int partitions) {
    List<TopicPartition> assigned = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      assigned.add(new TopicPartition(topic, p));
    }
    return bytes(ConsumerProtocol.serializeAssignment(new ConsumerPartitionAssignor.Assignment(assigned)));
  }

  /** The JoinGroup a consumer of {@code version} sends with this member's id. */
  JoinGroupRequestData joinRequest(short version) {
    JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
    protocols.add(new JoinGroupRequestProtocol().setName(ASSIGNOR).setMetadata(subscription(topic)));
    protocols.add(new JoinGroupRequestProtocol().setName(OTHER_ASSIGNOR).setMetadata(subscription(topic)));
    JoinGroupRequestData request = new JoinGroupRequestData().setGroupId(group).setMemberId(memberId)
        .setSessionTimeoutMs(SESSION_TIMEOUT_MS).setProtocolType(PROTOCOL_TYPE).setProtocols(protocols);
    if (version >= 1) {
      request.setRebalanceTimeoutMs(REBALANCE_TIMEOUT_MS);
    }
    if (version >= 5) {
      request.setGroupInstanceId(instanceId);
    }
    if (version >= 8) {
      request.setReason("conformance: joining");
    }
    return request;
  }

  /** Joins at the newest version, answering MEMBER_ID_REQUIRED, and fails unless the join succeeds. */
  void join() throws IOException {
    JoinGroupResponse response = connection.send(joinRequest(NEWEST_JOIN), NEWEST_JOIN);
    if (response.data().errorCode() == Errors.MEMBER_ID_REQUIRED.code()) {
      memberId = response.data().memberId();
      response = connection.send(joinRequest(NEWEST_JOIN), NEWEST_JOIN);
    }
    joined(response);
  }

  /** A dynamic member's first join: answered with MEMBER_ID_REQUIRED and the member id to join with. */
  void requestMemberId() throws IOException {
    JoinGroupResponse required = connection.send(joinRequest(NEWEST_JOIN), NEWEST_JOIN);
    assertEquals(Errors.MEMBER_ID_REQUIRED, Errors.forCode(required.data().errorCode()));
    memberId = required.data().memberId();
  }

  /** Sends a join the coordinator parks until the rebalance ends; {@link #joined} takes its answer. */
  ConformanceBroker.Pending<JoinGroupResponse> startJoin() throws IOException {
    return connection.start(joinRequest(NEWEST_JOIN), NEWEST_JOIN);
  }

  /** Takes in a successful join's answer. */
  void joined(JoinGroupResponse response) {
    JoinGroupResponseData data = response.data();
    assertEquals(Errors.NONE, Errors.forCode(data.errorCode()), "join of " + group);
    memberId = data.memberId();
    generationId = data.generationId();
    leaderId = data.leader();
    joinedMembers.clear();
    data.members().forEach(m -> joinedMembers.put(m.memberId(), m.metadata()));
  }

  /** The SyncGroup a consumer of {@code version} sends for this member's generation. */
  SyncGroupRequestData syncRequest(short version, Map<String, byte[]> assignments) {
    SyncGroupRequestData request = new SyncGroupRequestData().setGroupId(group).setMemberId(memberId)
        .setGenerationId(generationId);
    assignments.forEach((member, assignment) ->
        request.assignments().add(new SyncGroupRequestAssignment().setMemberId(member).setAssignment(assignment)));
    if (version >= 3) {
      request.setGroupInstanceId(instanceId);
    }
    if (version >= 5) {
      request.setProtocolType(PROTOCOL_TYPE).setProtocolName(ASSIGNOR);
    }
    return request;
  }

  /** Syncs at the newest version as the leader that gives itself partitions 0 to {@code partitions - 1}; the others get nothing. */
  void syncAsLeader(int partitions) throws IOException {
    Map<String, byte[]> assignments = new LinkedHashMap<>();
    joinedMembers.keySet().forEach(member -> assignments.put(member, new byte[0]));
    assignments.put(memberId, assignment(topic, partitions));
    SyncGroupResponse response = connection.send(syncRequest(NEWEST_SYNC, assignments), NEWEST_SYNC);
    assertEquals(Errors.NONE, Errors.forCode(response.data().errorCode()), "leader's sync of " + group);
  }

  /** Syncs at the newest version as a follower. */
  void syncAsFollower() throws IOException {
    SyncGroupResponse response = connection.send(syncRequest(NEWEST_SYNC, Map.of()), NEWEST_SYNC);
    assertEquals(Errors.NONE, Errors.forCode(response.data().errorCode()), "follower's sync of " + group);
  }

  Errors heartbeat() throws IOException {
    HeartbeatResponse response = connection.send(new HeartbeatRequestData().setGroupId(group).setMemberId(memberId)
        .setGroupInstanceId(instanceId).setGenerationId(generationId), NEWEST_HEARTBEAT);
    return Errors.forCode(response.data().errorCode());
  }

  /** Commits {@code offset} for one partition of the member's topic as this member of its generation; returns the error. */
  Errors commit(int partition, long offset) throws IOException {
    OffsetCommitResponse response = connection.send(new OffsetCommitRequestData().setGroupId(group).setMemberId(memberId)
        .setGroupInstanceId(instanceId).setGenerationIdOrMemberEpoch(generationId).setTopics(List.of(
            new OffsetCommitRequestTopic().setName(topic).setPartitions(List.of(
                new OffsetCommitRequestPartition().setPartitionIndex(partition).setCommittedOffset(offset))))),
        NEWEST_COMMIT);
    return Errors.forCode(response.data().topics().get(0).partitions().get(0).errorCode());
  }

  /** Leaves at the newest version and fails unless the member was removed. */
  void leave() throws IOException {
    LeaveGroupResponse response = connection.send(new LeaveGroupRequestData().setGroupId(group).setMembers(List.of(
        new MemberIdentity().setMemberId(memberId).setGroupInstanceId(instanceId).setReason("conformance: done"))),
        NEWEST_LEAVE);
    assertEquals(Errors.NONE, Errors.forCode(response.data().errorCode()), "leave of " + group);
    assertEquals(Errors.NONE, Errors.forCode(response.data().members().get(0).errorCode()), "leave of " + memberId);
  }

  /**
   * A second member joins the stable group of {@code first}, which rejoins; both sync. Returns the
   * second member, the group stable in the next generation with {@code first} still leading.
   */
  static ClassicMember joinSecond(ConformanceBroker broker, ClassicMember first, String instanceId, int partitions)
      throws IOException {
    ClassicMember second = new ClassicMember(broker, first.group, first.topic, instanceId);
    if (instanceId == null) {
      second.requestMemberId();
    }
    ConformanceBroker.Pending<JoinGroupResponse> secondJoin = second.startJoin();
    first.awaitRebalance();
    first.join();
    second.joined(secondJoin.response());
    first.syncAsLeader(partitions);
    second.syncAsFollower();
    return second;
  }

  /** Heartbeats until the coordinator answers REBALANCE_IN_PROGRESS: another member's join arrived. */
  void awaitRebalance() {
    Errors error = Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
        .until(this::heartbeat, e -> e != Errors.NONE);
    assertEquals(Errors.REBALANCE_IN_PROGRESS, error, "heartbeat while another member joins");
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  @Override
  public void close() throws IOException {
    connection.close();
  }
}
