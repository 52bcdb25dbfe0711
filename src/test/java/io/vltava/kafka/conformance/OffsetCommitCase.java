package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.OffsetFetchResponse;

/**
 * OffsetCommit as consumers of each version commit: member, generation, metadata, retention time
 * (v2-4), leader epoch (v6+), group.instance.id (v7+); the stored offsets read back with
 * OffsetFetch. Refused per partition: unknown topics and partitions, oversized metadata; per
 * request: stale generations, unknown or fenced members, a rebalance under way, a group that does
 * not exist (GROUP_ID_NOT_FOUND from v9, ILLEGAL_GENERATION before), and a commit without
 * generation while the group has members. Without generation a commit creates the group.
 */
final class OffsetCommitCase implements ApiCase {
  /** Kafka's offset.metadata.max.bytes. */
  private static final int MAX_METADATA = 4096;
  private String topic;

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.OFFSET_COMMIT;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    if (topic == null) {
      topic = broker.createTopic("offset-commit", 2);
    }
    int leaderEpoch = broker.node().metadata().current().topic(topic).orElseThrow().partitions().get(0).leaderEpoch();
    String group = "offset-commit-v" + version;
    String instanceId = version >= 7 ? "offset-commit-instance-v" + version : null;
    try (ClassicMember member = ClassicMember.stable(broker, group, topic, instanceId, 2)) {
      List<OffsetCommitRequestPartition> partitions = List.of(
          partition(version, 0, 5 + version, leaderEpoch, "conformance-v" + version),
          partition(version, 1, 7, leaderEpoch, null));
      OffsetCommitRequestData request = request(member, version, List.of(topic(topic, partitions),
          topic(topic + "-unknown", List.of(partition(version, 0, 1, -1, "")))));
      request.topics().get(0).partitions().add(partition(version, 2, 1, -1, ""));
      request.topics().get(0).partitions().add(partition(version, 0, 3, -1, "m".repeat(MAX_METADATA + 1)));
      List<OffsetCommitResponseTopic> committed = commit(member, request, version);
      assertEquals(List.of(topic, topic + "-unknown"), committed.stream().map(OffsetCommitResponseTopic::name).toList());
      assertEquals(List.of(0, 1, 2, 0), committed.get(0).partitions().stream()
          .map(OffsetCommitResponsePartition::partitionIndex).toList());
      assertEquals(List.of(Errors.NONE, Errors.NONE, Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.OFFSET_METADATA_TOO_LARGE),
          errors(committed.get(0)));
      assertEquals(List.of(Errors.UNKNOWN_TOPIC_OR_PARTITION), errors(committed.get(1)));

      List<OffsetFetchResponsePartitions> stored = fetch(member, group);
      int expectedEpoch = version >= 6 ? leaderEpoch : -1;
      assertEquals(List.of(5L + version, 7L), stored.stream().map(OffsetFetchResponsePartitions::committedOffset).toList());
      assertEquals(List.of(expectedEpoch, expectedEpoch),
          stored.stream().map(OffsetFetchResponsePartitions::committedLeaderEpoch).toList());
      assertEquals(List.of("conformance-v" + version, ""), stored.stream().map(OffsetFetchResponsePartitions::metadata).toList());

      List<OffsetCommitRequestTopic> one = List.of(topic(topic, List.of(partition(version, 0, 9, -1, ""))));
      assertEquals(Errors.ILLEGAL_GENERATION,
          error(member, request(member, version, one).setGenerationIdOrMemberEpoch(member.generationId - 1), version));
      assertEquals(Errors.UNKNOWN_MEMBER_ID, error(member,
          request(member, version, one).setMemberId("conformance-unknown-member").setGroupInstanceId(null), version));
      assertEquals(Errors.UNKNOWN_MEMBER_ID, error(member,
          request(member, version, one).setMemberId("").setGroupInstanceId(null).setGenerationIdOrMemberEpoch(-1), version),
          "a commit without generation while the group has members");
      if (version >= 7) {
        assertEquals(Errors.FENCED_INSTANCE_ID,
            error(member, request(member, version, one).setMemberId("conformance-other-member"), version));
      }
      assertEquals(version >= 9 ? Errors.GROUP_ID_NOT_FOUND : Errors.ILLEGAL_GENERATION,
          error(member, request(member, version, one).setGroupId(group + "-unknown"), version), "a group that does not exist");
      assertEquals(Errors.NONE, error(member, request(member, version, one).setGroupId(group + "-simple")
          .setMemberId("").setGroupInstanceId(null).setGenerationIdOrMemberEpoch(-1), version),
          "a commit without generation creates the group");
      assertEquals(List.of(5L + version, 7L), fetch(member, group).stream()
          .map(OffsetFetchResponsePartitions::committedOffset).toList(), "refused commits store nothing");
      member.leave();
    }
    try (ClassicMember joined = new ClassicMember(broker, group + "-joined", topic, null)) {
      joined.join();
      List<OffsetCommitRequestTopic> one = List.of(topic(topic, List.of(partition(version, 0, 9, -1, ""))));
      assertEquals(Errors.REBALANCE_IN_PROGRESS, error(joined, request(joined, version, one), version),
          "between the join and the leader's assignment");
      joined.leave();
    }
  }

  private static OffsetCommitRequestData request(ClassicMember member, short version, List<OffsetCommitRequestTopic> topics) {
    OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId(member.group).setMemberId(member.memberId)
        .setGenerationIdOrMemberEpoch(member.generationId).setTopics(new ArrayList<>(topics));
    if (version <= 4) {
      request.setRetentionTimeMs(86_400_000L);
    }
    if (version >= 7) {
      request.setGroupInstanceId(member.instanceId);
    }
    return request;
  }

  private static OffsetCommitRequestTopic topic(String name, List<OffsetCommitRequestPartition> partitions) {
    return new OffsetCommitRequestTopic().setName(name).setPartitions(new ArrayList<>(partitions));
  }

  private static OffsetCommitRequestPartition partition(short version, int index, long offset, int leaderEpoch, String metadata) {
    OffsetCommitRequestPartition partition = new OffsetCommitRequestPartition().setPartitionIndex(index)
        .setCommittedOffset(offset).setCommittedMetadata(metadata);
    return version >= 6 ? partition.setCommittedLeaderEpoch(leaderEpoch) : partition;
  }

  private static List<OffsetCommitResponseTopic> commit(ClassicMember member, OffsetCommitRequestData request, short version)
      throws Exception {
    return member.connection().<OffsetCommitResponse>send(request, version).data().topics();
  }

  private static Errors error(ClassicMember member, OffsetCommitRequestData request, short version) throws Exception {
    List<OffsetCommitResponseTopic> topics = commit(member, request, version);
    assertEquals(1, topics.size());
    assertEquals(1, topics.get(0).partitions().size());
    return Errors.forCode(topics.get(0).partitions().get(0).errorCode());
  }

  private static List<Errors> errors(OffsetCommitResponseTopic topic) {
    return topic.partitions().stream().map(p -> Errors.forCode(p.errorCode())).toList();
  }

  /** Partitions 0 and 1 of the topic as the group committed them, read with OffsetFetch v8. */
  private List<OffsetFetchResponsePartitions> fetch(ClassicMember member, String group) throws Exception {
    OffsetFetchResponse response = member.connection().send(new OffsetFetchRequestData().setGroups(List.of(
        new OffsetFetchRequestGroup().setGroupId(group).setTopics(List.of(
            new OffsetFetchRequestData.OffsetFetchRequestTopics().setName(topic).setPartitionIndexes(List.of(0, 1)))))),
        (short) 8);
    assertEquals(Errors.NONE, Errors.forCode(response.data().groups().get(0).errorCode()));
    return response.data().groups().get(0).topics().get(0).partitions();
  }
}
