package io.vltava.node;

import io.vltava.kafka.KafkaSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.requests.SyncGroupResponse;

/**
 * A group member speaking the classic protocol by hand over one socket: it heartbeats only when
 * told to, so a test can make it fall silent, and it can send requests a KafkaConsumer never would.
 */
final class RawMember implements AutoCloseable {
  private final KafkaSocket socket;
  private final String group;
  private final String groupInstanceId;
  private int correlationId;
  String memberId = "";
  int generationId = -1;
  String leaderId;

  RawMember(InetSocketAddress broker, String group, String groupInstanceId) throws Exception {
    this(new KafkaSocket(broker), group, groupInstanceId);
  }

  /** A member whose requests may each take up to {@code readTimeout} to be answered. */
  static RawMember withReadTimeout(InetSocketAddress broker, String group, Duration readTimeout) throws Exception {
    return new RawMember(new KafkaSocket(broker, readTimeout), group, null);
  }

  private RawMember(KafkaSocket socket, String group, String groupInstanceId) {
    this.socket = socket;
    this.group = group;
    this.groupInstanceId = groupInstanceId;
  }

  /** Joins (answering MEMBER_ID_REQUIRED once) as a "range" consumer of {@code topic}; returns the join's error. */
  Errors join(String topic, int sessionTimeoutMs) throws Exception {
    return join(topic, sessionTimeoutMs, 10_000);
  }

  /** As {@link #join(String, int)}, with the rebalance timeout given. */
  Errors join(String topic, int sessionTimeoutMs, int rebalanceTimeoutMs) throws Exception {
    byte[] subscription = bytes(ConsumerProtocol.serializeSubscription(new ConsumerPartitionAssignor.Subscription(List.of(topic))));
    JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
    protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(subscription));
    for (int attempt = 0; attempt < 2; attempt++) {
      JoinGroupResponse response = socket.roundTrip(new JoinGroupRequest.Builder(new JoinGroupRequestData()
          .setGroupId(group).setMemberId(memberId).setGroupInstanceId(groupInstanceId)
          .setSessionTimeoutMs(sessionTimeoutMs).setRebalanceTimeoutMs(rebalanceTimeoutMs)
          .setProtocolType("consumer").setProtocols(protocols)), ++correlationId);
      JoinGroupResponseData data = response.data();
      memberId = data.memberId();
      if (data.errorCode() != Errors.MEMBER_ID_REQUIRED.code()) {
        generationId = data.generationId();
        leaderId = data.leader();
        return Errors.forCode(data.errorCode());
      }
    }
    throw new IllegalStateException("MEMBER_ID_REQUIRED twice");
  }

  /** SyncGroup without assigning anything (as leader, it leaves everyone empty); returns the partitions assigned. */
  List<TopicPartition> sync() throws Exception {
    SyncGroupResponse response = socket.roundTrip(new SyncGroupRequest.Builder(new SyncGroupRequestData()
        .setGroupId(group).setMemberId(memberId).setGroupInstanceId(groupInstanceId).setGenerationId(generationId)
        .setProtocolType("consumer").setProtocolName("range")), ++correlationId);
    if (response.data().errorCode() != Errors.NONE.code()) {
      throw Errors.forCode(response.data().errorCode()).exception();
    }
    byte[] assignment = response.data().assignment();
    return assignment.length == 0 ? List.of() : ConsumerProtocol.deserializeAssignment(ByteBuffer.wrap(assignment)).partitions();
  }

  Errors heartbeat(int generation) throws Exception {
    HeartbeatResponse response = socket.roundTrip(new HeartbeatRequest.Builder(new HeartbeatRequestData()
        .setGroupId(group).setMemberId(memberId).setGroupInstanceId(groupInstanceId).setGenerationId(generation)),
        ++correlationId);
    return Errors.forCode(response.data().errorCode());
  }

  /** Commits {@code offset} for partition 0 of {@code topic} claiming {@code generation}; returns the partition's error. */
  Errors commit(String topic, long offset, int generation, String asMemberId) throws Exception {
    OffsetCommitRequestData data = new OffsetCommitRequestData().setGroupId(group).setMemberId(asMemberId)
        .setGroupInstanceId(groupInstanceId).setGenerationIdOrMemberEpoch(generation);
    data.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(topic).setPartitions(List.of(
        new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(offset))));
    OffsetCommitResponse response = socket.roundTrip(OffsetCommitRequest.Builder.forTopicNames(data), ++correlationId);
    return Errors.forCode(response.data().topics().get(0).partitions().get(0).errorCode());
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  @Override
  public void close() throws Exception {
    socket.close();
  }
}
