package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListGroupsResponse;

/**
 * ListGroups as admin tools list groups: a stable consumer group and a group that only has
 * committed offsets, with their protocol type, their state from v4 and their type ("classic")
 * from v5; the states filter (v4+) and the types filter (v5+) select among them.
 */
final class ListGroupsCase implements ApiCase {
  private String topic;

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.LIST_GROUPS;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    if (topic == null) {
      topic = broker.createTopic("list-groups", 1);
    }
    String stable = "list-groups-v" + version;
    String offsetsOnly = stable + "-offsets";
    broker.commitOffset(offsetsOnly, topic, 0, 7);
    try (ClassicMember member = ClassicMember.stable(broker, stable, topic, null, 1)) {
      Map<String, ListedGroup> all = list(broker, version, List.of(), List.of(), stable, offsetsOnly);
      assertEquals(List.of(stable, offsetsOnly), List.copyOf(all.keySet()));
      assertEquals(ClassicMember.PROTOCOL_TYPE, all.get(stable).protocolType());
      assertEquals("", all.get(offsetsOnly).protocolType(), "offsets committed without a member say no protocol");
      assertEquals(version >= 4 ? "Stable" : "", all.get(stable).groupState());
      assertEquals(version >= 4 ? "Empty" : "", all.get(offsetsOnly).groupState());
      assertEquals(version >= 5 ? "classic" : "", all.get(stable).groupType());
      if (version >= 4) {
        assertEquals(List.of(stable), List.copyOf(list(broker, version, List.of("Stable"), List.of(), stable, offsetsOnly).keySet()));
        assertEquals(List.of(offsetsOnly),
            List.copyOf(list(broker, version, List.of("Empty", "Dead"), List.of(), stable, offsetsOnly).keySet()));
      }
      if (version >= 5) {
        assertEquals(List.of(stable, offsetsOnly),
            List.copyOf(list(broker, version, List.of(), List.of("classic"), stable, offsetsOnly).keySet()));
        assertEquals(List.of(), List.copyOf(list(broker, version, List.of(), List.of("consumer"), stable, offsetsOnly).keySet()),
            "no group uses the consumer protocol of KIP-848");
      }
      member.leave();
    }
  }

  /** The listed groups among {@code ours} (other cases' groups are listed too), in the order of {@code ours}. */
  private static Map<String, ListedGroup> list(ConformanceBroker broker, short version, List<String> states,
      List<String> types, String... ours) throws Exception {
    ListGroupsRequestData request = new ListGroupsRequestData();
    if (version >= 4) {
      request.setStatesFilter(states);
    }
    if (version >= 5) {
      request.setTypesFilter(types);
    }
    ListGroupsResponseData response = broker.<ListGroupsResponse>send(request, version).data();
    assertEquals(Errors.NONE, Errors.forCode(response.errorCode()));
    Map<String, ListedGroup> listed = response.groups().stream()
        .collect(Collectors.toMap(ListedGroup::groupId, group -> group));
    Map<String, ListedGroup> selected = new LinkedHashMap<>();
    for (String group : ours) {
      if (listed.containsKey(group)) {
        selected.put(group, listed.get(group));
      }
    }
    return selected;
  }
}
