package io.vltava.kafka.conformance;

import static io.vltava.kafka.conformance.ConfigChangeChecks.INITIAL;
import static io.vltava.kafka.conformance.ConfigChangeChecks.assertTopicOutcome;
import static io.vltava.kafka.conformance.ConfigChangeChecks.topicWithInitialOverrides;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterConfigsResponse;

/**
 * The legacy AlterConfigs (same fields at v0-v2): a topic's overrides become exactly the given
 * set; a resource with any invalid entry changes nothing. Effects are read back with DescribeConfigs.
 */
final class AlterConfigsCase implements ApiCase {
  @Override
  public ApiKeys apiKey() {
    return ApiKeys.ALTER_CONFIGS;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    String topic = topicWithInitialOverrides(broker, "alter-configs");
    String other = topicWithInitialOverrides(broker, "alter-configs-other");
    Map<String, String> replacement = Map.of("retention.ms", "120000", "segment.ms", "7200000");

    List<AlterConfigsResourceResponse> validated = alter(broker, version, true, topicResource(topic, replacement));
    assertOutcome(Errors.NONE, topic, validated.get(0));
    assertEquals(INITIAL, broker.describedOverrides(topic), "validate_only changed the configs");
    assertOutcome(Errors.INVALID_CONFIG, topic,
        alter(broker, version, true, topicResource(topic, Map.of("retention.ms", "soon"))).get(0));

    List<AlterConfigsResourceResponse> results = alter(broker, version, false,
        topicResource(topic, replacement), topicResource(other, Map.of("retention.ms", "soon", "segment.ms", "7200000")));
    assertOutcome(Errors.NONE, topic, results.get(0));
    assertOutcome(Errors.INVALID_CONFIG, other, results.get(1));
    assertEquals(replacement, broker.describedOverrides(topic));
    assertEquals(INITIAL, broker.describedOverrides(other), "an invalid resource changed its configs");

    assertOutcome(Errors.INVALID_CONFIG, other,
        alter(broker, version, false, topicResource(other, Map.of("no.such.config", "1"))).get(0));
    assertOutcome(Errors.INVALID_CONFIG, other,
        alter(broker, version, false, topicResource(other, Map.of("min.insync.replicas", "0"))).get(0));
    AlterConfigsResource nullValue = topicResource(other, Map.of("segment.ms", "7200000"));
    nullValue.configs().add(new AlterableConfig().setName("retention.ms").setValue(null));
    assertOutcome(Errors.INVALID_REQUEST, other, alter(broker, version, false, nullValue).get(0));
    AlterConfigsResource repeatedKey = topicResource(other, Map.of("retention.ms", "120000"));
    repeatedKey.configs().add(new AlterableConfig().setName("retention.ms").setValue("240000"));
    assertOutcome(Errors.INVALID_REQUEST, other, alter(broker, version, false, repeatedKey).get(0));
    List<AlterConfigsResourceResponse> repeatedResource = alter(broker, version, false,
        topicResource(other, Map.of("retention.ms", "120000")), topicResource(other, Map.of("segment.ms", "7200000")));
    assertOutcome(Errors.INVALID_REQUEST, other, repeatedResource.get(0));
    assertOutcome(Errors.INVALID_REQUEST, other, repeatedResource.get(1));
    assertEquals(INITIAL, broker.describedOverrides(other), "an invalid resource changed its configs");
    assertOutcome(Errors.INVALID_TOPIC_EXCEPTION, "bad/name",
        alter(broker, version, false, topicResource("bad/name", Map.of("retention.ms", "120000"))).get(0));
    assertOutcome(Errors.INVALID_REQUEST, "", alter(broker, version, false, topicResource("", Map.of("retention.ms", "120000"))).get(0));
    AlterConfigsResource brokerResource = new AlterConfigsResource().setResourceType(ConfigResource.Type.BROKER.id())
        .setResourceName(String.valueOf(broker.nodeId()));
    brokerResource.configs().add(new AlterableConfig().setName("retention.ms").setValue("120000"));
    AlterConfigsResourceResponse brokerResult = alter(broker, version, false, brokerResource).get(0);
    assertEquals(Errors.INVALID_REQUEST, Errors.forCode(brokerResult.errorCode()), "broker settings are read-only");
    String unknown = broker.uniqueTopicName("alter-configs-unknown");
    assertOutcome(Errors.UNKNOWN_TOPIC_OR_PARTITION, unknown,
        alter(broker, version, false, topicResource(unknown, replacement)).get(0));

    assertOutcome(Errors.NONE, topic, alter(broker, version, false, topicResource(topic, Map.of())).get(0));
    assertEquals(Map.of(), broker.describedOverrides(topic), "an empty set did not clear the overrides");
  }

  private static AlterConfigsResource topicResource(String topic, Map<String, String> configs) {
    AlterConfigsResource resource = new AlterConfigsResource().setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName(topic);
    configs.forEach((name, value) -> resource.configs().add(new AlterableConfig().setName(name).setValue(value)));
    return resource;
  }

  private static List<AlterConfigsResourceResponse> alter(ConformanceBroker broker, short version, boolean validateOnly,
      AlterConfigsResource... resources) throws Exception {
    AlterConfigsRequestData request = new AlterConfigsRequestData().setValidateOnly(validateOnly);
    for (AlterConfigsResource resource : resources) {
      request.resources().add(resource);
    }
    AlterConfigsResponse response = broker.send(request, version);
    assertEquals(resources.length, response.data().responses().size());
    return response.data().responses();
  }

  private static void assertOutcome(Errors error, String topic, AlterConfigsResourceResponse result) {
    assertTopicOutcome(error, topic, result.resourceType(), result.resourceName(), result.errorCode(), result.errorMessage());
  }
}
