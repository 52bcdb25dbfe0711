package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersRequestData.TopicPartitions;
import org.apache.kafka.common.message.ElectLeadersRequestData.TopicPartitionsCollection;
import org.apache.kafka.common.message.ElectLeadersResponseData.PartitionResult;
import org.apache.kafka.common.message.ElectLeadersResponseData.ReplicaElectionResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ElectLeadersResponse;

/**
 * ElectLeaders on one node, where every partition already has its preferred leader: named
 * partitions answer ELECTION_NOT_NEEDED (preferred, and from v1 unclean), unknown ones
 * UNKNOWN_TOPIC_OR_PARTITION; "every partition" reports nothing. The elections that move leaders
 * are checked with kafka-leader-election on three nodes (LeaderElectionToolTest).
 */
final class ElectLeadersCase implements ApiCase {
  private String topic;

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.ELECT_LEADERS;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    if (topic == null) {
      topic = broker.createTopic("elect", 2);
    }
    List<ElectionType> types = version >= 1 ? List.of(ElectionType.PREFERRED, ElectionType.UNCLEAN) : List.of(ElectionType.PREFERRED);
    for (ElectionType type : types) {
      TopicPartitionsCollection partitions = new TopicPartitionsCollection();
      partitions.add(new TopicPartitions().setTopic(topic).setPartitions(List.of(0, 1, 7)));
      partitions.add(new TopicPartitions().setTopic("no-such-topic").setPartitions(List.of(0)));
      ElectLeadersResponse named = broker.send(request(version, type).setTopicPartitions(partitions), version);
      assertEquals(Errors.NONE.code(), named.data().errorCode());
      List<ReplicaElectionResult> results = named.data().replicaElectionResults();
      assertEquals(List.of(topic, "no-such-topic"), results.stream().map(ReplicaElectionResult::topic).toList());
      assertEquals(List.of(Errors.ELECTION_NOT_NEEDED, Errors.ELECTION_NOT_NEEDED, Errors.UNKNOWN_TOPIC_OR_PARTITION),
          results.get(0).partitionResult().stream().map(r -> Errors.forCode(r.errorCode())).toList());
      assertEquals(List.of(0, 1, 7), results.get(0).partitionResult().stream().map(PartitionResult::partitionId).toList());
      assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), results.get(1).partitionResult().get(0).errorCode());

      ElectLeadersResponse all = broker.send(request(version, type).setTopicPartitions(null), version);
      assertEquals(Errors.NONE.code(), all.data().errorCode());
      assertEquals(List.of(), all.data().replicaElectionResults(), "no partition needed an election");
    }
  }

  private static ElectLeadersRequestData request(short version, ElectionType type) {
    ElectLeadersRequestData request = new ElectLeadersRequestData().setTimeoutMs(15_000);
    return version >= 1 ? request.setElectionType(type.value) : request;
  }
}
