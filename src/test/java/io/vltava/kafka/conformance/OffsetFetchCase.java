package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.OffsetFetchResponse;

/**
 * OffsetFetch as consumers and admin tools read committed offsets: the partitions asked for (-1
 * and no metadata where nothing was committed), every committed partition for null topics (v2+),
 * the leader epoch from v5, require_stable from v7, several groups per request from v8 (a group
 * that does not exist has no offsets), member id and epoch fields (unset by classic consumers) at v9.
 */
final class OffsetFetchCase implements ApiCase {
  private static final short COMMIT_VERSION = 9;
  private String topic;
  private int leaderEpoch;

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.OFFSET_FETCH;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    if (topic == null) {
      topic = broker.createTopic("offset-fetch", 3);
      leaderEpoch = broker.node().metadata().current().topic(topic).orElseThrow().partitions().get(0).leaderEpoch();
    }
    String group = "offset-fetch-v" + version;
    commit(broker, group, version);
    int epoch = version >= 5 ? leaderEpoch : -1;
    List<String> asked = List.of("0:" + (100 + version) + ":" + epoch + ":fetched-v" + version + ":NONE",
        "1:" + (200 + version) + ":" + epoch + "::NONE", "2:-1:-1::NONE");
    List<String> all = asked.subList(0, 2);
    List<Integer> partitions = List.of(0, 1, 2);
    if (version < 8) {
      assertEquals(asked, single(broker, version, group, partitions));
      if (version >= 2) {
        assertEquals(all, single(broker, version, group, null), "null topics: every committed partition");
      }
      return;
    }
    OffsetFetchResponseData batch = broker.<OffsetFetchResponse>send(new OffsetFetchRequestData().setRequireStable(true)
        .setGroups(List.of(group(version, group, partitions), group(version, group + "-unknown", List.of(0)))), version).data();
    assertEquals(List.of(group, group + "-unknown"), batch.groups().stream().map(OffsetFetchResponseGroup::groupId).toList());
    assertEquals(asked, described(batch.groups().get(0)));
    assertEquals(List.of("0:-1:-1::NONE"), described(batch.groups().get(1)), "a group that does not exist");
    OffsetFetchResponseData everything = broker.<OffsetFetchResponse>send(new OffsetFetchRequestData().setRequireStable(true)
        .setGroups(List.of(group(version, group, null))), version).data();
    assertEquals(all, described(everything.groups().get(0)), "null topics: every committed partition");
  }

  /** Commits partitions 0 and 1 as an admin tool does, without member or generation. */
  private void commit(ConformanceBroker broker, String group, short version) throws Exception {
    OffsetCommitResponse response = broker.send(new OffsetCommitRequestData().setGroupId(group).setTopics(List.of(
        new OffsetCommitRequestTopic().setName(topic).setPartitions(List.of(
            new OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(100 + version)
                .setCommittedLeaderEpoch(leaderEpoch).setCommittedMetadata("fetched-v" + version),
            new OffsetCommitRequestPartition().setPartitionIndex(1).setCommittedOffset(200 + version)
                .setCommittedLeaderEpoch(leaderEpoch))))), COMMIT_VERSION);
    response.data().topics().get(0).partitions().forEach(p -> assertEquals(Errors.NONE.code(), p.errorCode()));
  }

  /** One group (before v8); {@code partitions} null asks for all. Each partition as "index:offset:epoch:metadata:error". */
  private List<String> single(ConformanceBroker broker, short version, String group, List<Integer> partitions)
      throws Exception {
    OffsetFetchRequestData request = new OffsetFetchRequestData().setGroupId(group)
        .setTopics(partitions == null ? null : List.of(new OffsetFetchRequestTopic().setName(topic).setPartitionIndexes(partitions)));
    if (version >= 7) {
      request.setRequireStable(true);
    }
    OffsetFetchResponseData response = broker.<OffsetFetchResponse>send(request, version).data();
    assertEquals(Errors.NONE, Errors.forCode(response.errorCode()));
    List<String> described = new ArrayList<>();
    response.topics().forEach(t -> {
      assertEquals(topic, t.name());
      t.partitions().forEach(p -> described.add(
          line(p.partitionIndex(), p.committedOffset(), p.committedLeaderEpoch(), p.metadata(), p.errorCode())));
    });
    described.sort(Comparator.naturalOrder());
    return described;
  }

  private OffsetFetchRequestGroup group(short version, String group, List<Integer> partitions) {
    OffsetFetchRequestGroup request = new OffsetFetchRequestGroup().setGroupId(group)
        .setTopics(partitions == null ? null : List.of(new OffsetFetchRequestTopics().setName(topic).setPartitionIndexes(partitions)));
    if (version >= 9) {
      // What a classic consumer sends: no member id, no member epoch.
      request.setMemberId(null).setMemberEpoch(-1);
    }
    return request;
  }

  private List<String> described(OffsetFetchResponseGroup group) {
    assertEquals(Errors.NONE, Errors.forCode(group.errorCode()));
    List<String> described = new ArrayList<>();
    group.topics().forEach(t -> {
      assertEquals(topic, t.name());
      t.partitions().forEach(p -> described.add(
          line(p.partitionIndex(), p.committedOffset(), p.committedLeaderEpoch(), p.metadata(), p.errorCode())));
    });
    described.sort(Comparator.naturalOrder());
    return described;
  }

  private static String line(int partition, long offset, int leaderEpoch, String metadata, short error) {
    return partition + ":" + offset + ":" + leaderEpoch + ":" + metadata + ":" + Errors.forCode(error);
  }
}
