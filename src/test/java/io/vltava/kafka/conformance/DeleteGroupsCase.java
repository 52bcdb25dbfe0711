package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteGroupsResponse;

/**
 * DeleteGroups: a group without members loses its committed offsets; a group with members is
 * refused (NON_EMPTY_GROUP) until they leave; a group that does not exist is GROUP_ID_NOT_FOUND.
 * Each group of the request is answered on its own.
 */
final class DeleteGroupsCase implements ApiCase {
  private String topic;

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.DELETE_GROUPS;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    if (topic == null) {
      topic = broker.createTopic("delete-groups", 1);
    }
    String empty = "delete-groups-v" + version;
    String withMember = empty + "-member";
    String unknown = empty + "-unknown";
    broker.commitOffset(empty, topic, 0, 11);
    try (ClassicMember member = ClassicMember.stable(broker, withMember, topic, null, 1)) {
      assertEquals(Errors.NONE, member.commit(0, 12));
      assertEquals(List.of(Errors.NONE, Errors.NON_EMPTY_GROUP, Errors.GROUP_ID_NOT_FOUND),
          delete(broker, version, empty, withMember, unknown));
      assertEquals(-1, broker.committedOffset(empty, topic, 0), "the deleted group's offsets are gone");
      assertEquals(12, broker.committedOffset(withMember, topic, 0), "the refused group's offsets stay");
      assertEquals(List.of(Errors.GROUP_ID_NOT_FOUND), delete(broker, version, empty), "deleted already");
      member.leave();
      assertEquals(List.of(Errors.NONE), delete(broker, version, withMember), "empty once its member left");
      assertEquals(-1, broker.committedOffset(withMember, topic, 0));
    }
  }

  private static List<Errors> delete(ConformanceBroker broker, short version, String... groups) throws Exception {
    DeleteGroupsResponse response = broker.send(new DeleteGroupsRequestData().setGroupsNames(List.of(groups)), version);
    assertEquals(List.of(groups), response.data().results().stream().map(DeletableGroupResult::groupId).toList());
    return response.data().results().stream().map(r -> Errors.forCode(r.errorCode())).toList();
  }
}
