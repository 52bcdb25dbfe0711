package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetDeleteResponse;

/**
 * OffsetDelete: a group's committed offsets of topics its members do not subscribe to are deleted;
 * those of subscribed topics are refused (GROUP_SUBSCRIBED_TO_TOPIC) until the members leave;
 * unknown topics and partitions are UNKNOWN_TOPIC_OR_PARTITION; an unknown group fails the
 * request with GROUP_ID_NOT_FOUND, an empty group id with INVALID_GROUP_ID.
 */
final class OffsetDeleteCase implements ApiCase {
  private String subscribed;
  private String other;

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.OFFSET_DELETE;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    if (subscribed == null) {
      subscribed = broker.createTopic("offset-delete-subscribed", 1);
      other = broker.createTopic("offset-delete-other", 1);
    }
    String group = "offset-delete-v" + version;
    try (ClassicMember member = ClassicMember.stable(broker, group, subscribed, null, 1)) {
      assertEquals(Errors.NONE, member.commit(0, 21));
      broker.commitOffset(group + "-other", other, 0, 1);
      OffsetDeleteResponseData deleted = delete(broker, version, group,
          topic(subscribed, 0), topic(other, 0, 3), topic(other + "-unknown", 0));
      assertEquals(Errors.NONE, Errors.forCode(deleted.errorCode()));
      assertEquals(List.of(subscribed + "/0:GROUP_SUBSCRIBED_TO_TOPIC", other + "/0:NONE",
          other + "/3:UNKNOWN_TOPIC_OR_PARTITION", other + "-unknown/0:UNKNOWN_TOPIC_OR_PARTITION"), answers(deleted));
      assertEquals(21, broker.committedOffset(group, subscribed, 0), "refused: the offset stays");

      assertEquals(Errors.GROUP_ID_NOT_FOUND,
          Errors.forCode(delete(broker, version, group + "-unknown", topic(other, 0)).errorCode()));
      assertEquals(Errors.INVALID_GROUP_ID, Errors.forCode(delete(broker, version, "", topic(other, 0)).errorCode()));

      member.leave();
      OffsetDeleteResponseData afterLeave = delete(broker, version, group, topic(subscribed, 0));
      assertEquals(List.of(subscribed + "/0:NONE"), answers(afterLeave), "nobody subscribes once the member left");
      assertEquals(-1, broker.committedOffset(group, subscribed, 0));
    }
  }

  private static OffsetDeleteRequestTopic topic(String name, int... partitions) {
    OffsetDeleteRequestTopic topic = new OffsetDeleteRequestTopic().setName(name);
    for (int p : partitions) {
      topic.partitions().add(new OffsetDeleteRequestPartition().setPartitionIndex(p));
    }
    return topic;
  }

  private static OffsetDeleteResponseData delete(ConformanceBroker broker, short version, String group,
      OffsetDeleteRequestTopic... topics) throws Exception {
    OffsetDeleteRequestTopicCollection collection = new OffsetDeleteRequestTopicCollection();
    for (OffsetDeleteRequestTopic topic : topics) {
      collection.add(topic);
    }
    return broker.<OffsetDeleteResponse>send(new OffsetDeleteRequestData().setGroupId(group).setTopics(collection), version)
        .data();
  }

  /** Each partition's answer as "topic/partition:ERROR", in request order. */
  private static List<String> answers(OffsetDeleteResponseData response) {
    List<String> answers = new ArrayList<>();
    response.topics().forEach(t -> t.partitions().forEach(p ->
        answers.add(t.name() + "/" + p.partitionIndex() + ":" + Errors.forCode(p.errorCode()).name())));
    return answers;
  }
}
