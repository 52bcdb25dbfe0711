package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.protocol.Errors;

/**
 * What the AlterConfigs and IncrementalAlterConfigs cases share: topics that start from the same
 * overrides, and the check of one topic resource's result (each API has its own generated result
 * class, so the fields come in one by one).
 */
final class ConfigChangeChecks {
  static final Map<String, String> INITIAL = Map.of("retention.ms", "3600000", "max.message.bytes", "65536");

  private ConfigChangeChecks() {}

  /** A new topic created with {@link #INITIAL}, which DescribeConfigs must report back exactly. */
  static String topicWithInitialOverrides(ConformanceBroker broker, String prefix) throws Exception {
    String topic = broker.createTopic(prefix, 1, INITIAL);
    assertEquals(INITIAL, broker.describedOverrides(topic), "overrides the topic was created with");
    return topic;
  }

  /** A topic resource's result: its type and name echoed, the error, and a message exactly when it failed. */
  static void assertTopicOutcome(Errors error, String topic, byte resourceType, String resourceName, short errorCode,
      String errorMessage) {
    assertEquals(ConfigResource.Type.TOPIC.id(), resourceType);
    assertEquals(topic, resourceName);
    assertEquals(error, Errors.forCode(errorCode), errorMessage);
    if (error == Errors.NONE) {
      assertNull(errorMessage);
    } else {
      assertNotNull(errorMessage);
    }
  }
}
