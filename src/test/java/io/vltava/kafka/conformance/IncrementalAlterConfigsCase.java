package io.vltava.kafka.conformance;

import static io.vltava.kafka.conformance.ConfigChangeChecks.INITIAL;
import static io.vltava.kafka.conformance.ConfigChangeChecks.assertTopicOutcome;
import static io.vltava.kafka.conformance.ConfigChangeChecks.topicWithInitialOverrides;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.IncrementalAlterConfigsResponse;

/**
 * IncrementalAlterConfigs (same fields at v0-v1, v1 flexible) as Admin incrementalAlterConfigs
 * sends it: SET and DELETE change single overrides; a resource with any invalid operation changes
 * nothing. Effects are read back with DescribeConfigs.
 */
final class IncrementalAlterConfigsCase implements ApiCase {
  @Override
  public ApiKeys apiKey() {
    return ApiKeys.INCREMENTAL_ALTER_CONFIGS;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    String topic = topicWithInitialOverrides(broker, "incremental-alter-configs");
    String other = topicWithInitialOverrides(broker, "incremental-alter-configs-other");
    assertOutcome(Errors.NONE, topic, alter(broker, version, true,
        resource(topic, op(OpType.SET, "segment.ms", "7200000"), op(OpType.DELETE, "retention.ms", null))).get(0));
    assertEquals(INITIAL, broker.describedOverrides(topic), "validate_only changed the configs");
    assertOutcome(Errors.INVALID_CONFIG, topic,
        alter(broker, version, true, resource(topic, op(OpType.SET, "retention.ms", "soon"))).get(0));

    List<AlterConfigsResourceResponse> results = alter(broker, version, false,
        resource(topic, op(OpType.SET, "retention.ms", "120000"), op(OpType.DELETE, "max.message.bytes", null),
            op(OpType.SET, "segment.ms", "7200000"), op(OpType.DELETE, "segment.bytes", null)),
        resource(other, op(OpType.SET, "segment.ms", "7200000"), op(OpType.SET, "retention.ms", "soon")));
    assertOutcome(Errors.NONE, topic, results.get(0));
    assertOutcome(Errors.INVALID_CONFIG, other, results.get(1));
    assertEquals(Map.of("retention.ms", "120000", "segment.ms", "7200000"), broker.describedOverrides(topic));
    assertEquals(INITIAL, broker.describedOverrides(other), "an invalid resource changed its configs");

    assertRefused(broker, version, Errors.INVALID_CONFIG, other, op(OpType.SET, "no.such.config", "1"));
    assertRefused(broker, version, Errors.INVALID_CONFIG, other, op(OpType.SET, "min.insync.replicas", "0"));
    assertRefused(broker, version, Errors.INVALID_CONFIG, other, op(OpType.APPEND, "retention.ms", "5"));
    assertRefused(broker, version, Errors.INVALID_CONFIG, other, op(OpType.SUBTRACT, "retention.ms", "5"));
    assertRefused(broker, version, Errors.INVALID_CONFIG, other, op(OpType.APPEND, "cleanup.policy", "shred"));
    assertRefused(broker, version, Errors.INVALID_REQUEST, other, op(OpType.SET, "retention.ms", null));
    assertRefused(broker, version, Errors.INVALID_REQUEST, other, op(OpType.SET, "segment.ms", "3600000"));
    assertRefused(broker, version, Errors.INVALID_REQUEST, other,
        new AlterableConfig().setConfigOperation((byte) 7).setName("retention.ms").setValue("5"));
    List<AlterConfigsResourceResponse> repeatedResource = alter(broker, version, false,
        resource(other, op(OpType.SET, "retention.ms", "120000")), resource(other, op(OpType.DELETE, "max.message.bytes", null)));
    assertOutcome(Errors.INVALID_REQUEST, other, repeatedResource.get(0));
    assertOutcome(Errors.INVALID_REQUEST, other, repeatedResource.get(1));
    assertEquals(INITIAL, broker.describedOverrides(other), "an invalid resource changed its configs");

    assertOutcome(Errors.INVALID_TOPIC_EXCEPTION, "bad/name",
        alter(broker, version, false, resource("bad/name", op(OpType.SET, "retention.ms", "120000"))).get(0));
    assertOutcome(Errors.INVALID_REQUEST, "", alter(broker, version, false, resource("", op(OpType.SET, "retention.ms", "120000"))).get(0));
    AlterConfigsResource brokerResource = brokerResource(broker, op(OpType.SET, "retention.ms", "120000"));
    AlterConfigsResourceResponse brokerResult = alter(broker, version, false, brokerResource).get(0);
    assertEquals(Errors.INVALID_REQUEST, Errors.forCode(brokerResult.errorCode()), "static broker settings are read-only");
    // The replication throttle rates are a broker's dynamic configs: set, refused when malformed, deleted.
    AlterConfigsResource throttle = brokerResource(broker, op(OpType.SET, "follower.replication.throttled.rate", "1000"));
    assertEquals(Errors.NONE, Errors.forCode(alter(broker, version, false, throttle).get(0).errorCode()));
    assertEquals(Map.of("follower.replication.throttled.rate", "1000"), broker.node().metadata().current().brokerConfigs(broker.nodeId()));
    AlterConfigsResource badRate = brokerResource(broker, op(OpType.SET, "leader.replication.throttled.rate", "fast"));
    assertEquals(Errors.INVALID_CONFIG, Errors.forCode(alter(broker, version, false, badRate).get(0).errorCode()));
    AlterConfigsResource cleanerLimit = brokerResource(broker, op(OpType.SET, "log.cleaner.io.max.bytes.per.second", "1.5E7"));
    assertEquals(Errors.NONE, Errors.forCode(alter(broker, version, false, cleanerLimit).get(0).errorCode()));
    assertEquals("1.5E7", broker.node().metadata().current().brokerConfigs(broker.nodeId()).get("log.cleaner.io.max.bytes.per.second"));
    AlterConfigsResource badCleanerLimit = brokerResource(broker, op(OpType.SET, "log.cleaner.io.max.bytes.per.second", "0"));
    assertEquals(Errors.INVALID_CONFIG, Errors.forCode(alter(broker, version, false, badCleanerLimit).get(0).errorCode()));
    AlterConfigsResource uncleanerLimit = brokerResource(broker, op(OpType.DELETE, "log.cleaner.io.max.bytes.per.second", null));
    assertEquals(Errors.NONE, Errors.forCode(alter(broker, version, false, uncleanerLimit).get(0).errorCode()));
    AlterConfigsResource unthrottle = brokerResource(broker, op(OpType.DELETE, "follower.replication.throttled.rate", null));
    assertEquals(Errors.NONE, Errors.forCode(alter(broker, version, false, unthrottle).get(0).errorCode()));
    assertEquals(Map.of(), broker.node().metadata().current().brokerConfigs(broker.nodeId()));
    // APPEND and SUBTRACT edit a list config's current value (here the broker default, "delete").
    assertOutcome(Errors.NONE, topic, alter(broker, version, false, resource(topic, op(OpType.APPEND, "cleanup.policy", "compact"))).get(0));
    assertEquals("delete,compact", broker.describedOverrides(topic).get("cleanup.policy"));
    assertOutcome(Errors.NONE, topic, alter(broker, version, false, resource(topic, op(OpType.SUBTRACT, "cleanup.policy", "delete"))).get(0));
    assertEquals("compact", broker.describedOverrides(topic).get("cleanup.policy"));
    assertOutcome(Errors.INVALID_CONFIG, topic,
        alter(broker, version, false, resource(topic, op(OpType.SUBTRACT, "cleanup.policy", "compact"))).get(0));
    assertEquals("compact", broker.describedOverrides(topic).get("cleanup.policy"), "an empty policy was refused");
    String unknown = broker.uniqueTopicName("incremental-alter-configs-unknown");
    assertOutcome(Errors.UNKNOWN_TOPIC_OR_PARTITION, unknown,
        alter(broker, version, false, resource(unknown, op(OpType.SET, "retention.ms", "120000"))).get(0));
  }

  private static AlterableConfig op(OpType type, String name, String value) {
    return new AlterableConfig().setConfigOperation(type.id()).setName(name).setValue(value);
  }

  private static AlterConfigsResource resource(String topic, AlterableConfig... configs) {
    AlterConfigsResource resource = new AlterConfigsResource().setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName(topic);
    for (AlterableConfig config : configs) {
      resource.configs().add(config);
    }
    return resource;
  }

  private static AlterConfigsResource brokerResource(ConformanceBroker broker, AlterableConfig config) {
    AlterConfigsResource resource = new AlterConfigsResource().setResourceType(ConfigResource.Type.BROKER.id())
        .setResourceName(String.valueOf(broker.nodeId()));
    resource.configs().add(config);
    return resource;
  }

  private static List<AlterConfigsResourceResponse> alter(ConformanceBroker broker, short version, boolean validateOnly,
      AlterConfigsResource... resources) throws Exception {
    IncrementalAlterConfigsRequestData request = new IncrementalAlterConfigsRequestData().setValidateOnly(validateOnly);
    for (AlterConfigsResource resource : resources) {
      request.resources().add(resource);
    }
    IncrementalAlterConfigsResponse response = broker.send(request, version);
    assertEquals(resources.length, response.data().responses().size());
    return response.data().responses();
  }

  private static void assertRefused(ConformanceBroker broker, short version, Errors error, String topic,
      AlterableConfig config) throws Exception {
    assertOutcome(error, topic, alter(broker, version, false,
        resource(topic, op(OpType.SET, "segment.ms", "7200000"), config)).get(0));
  }

  private static void assertOutcome(Errors error, String topic, AlterConfigsResourceResponse result) {
    assertTopicOutcome(error, topic, result.resourceType(), result.resourceName(), result.errorCode(), result.errorMessage());
  }
}
