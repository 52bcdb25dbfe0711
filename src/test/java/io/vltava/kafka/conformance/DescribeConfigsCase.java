package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.log.TopicConfigs;
import io.vltava.metadata.BrokerConfigs;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * DescribeConfigs as Admin describeConfigs sends it: v1 adds include_synonyms and each entry's
 * source and synonyms, v3 include_documentation and each entry's type and documentation.
 */
final class DescribeConfigsCase implements ApiCase {
  private static final Map<String, String> OVERRIDES = Map.of("retention.ms", "3600000", "unclean.leader.election.enable", "true");
  private static final Map<String, ConfigType> TYPES = Map.of(
      "cleanup.policy", ConfigType.LIST,
      "max.message.bytes", ConfigType.INT,
      "min.cleanable.dirty.ratio", ConfigType.DOUBLE,
      "message.timestamp.type", ConfigType.STRING,
      "retention.ms", ConfigType.LONG,
      "unclean.leader.election.enable", ConfigType.BOOLEAN);
  private String topic;

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.DESCRIBE_CONFIGS;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    if (topic == null) {
      topic = broker.createTopic("describe-configs", 1, OVERRIDES);
    }
    TopicConfigs defaults = broker.node().settings().topicConfigs();

    for (boolean detailed : new boolean[] {false, true}) {
      DescribeConfigsResult all = describeOne(broker, version, detailed, topicResource(topic, null));
      assertEquals(Errors.NONE, Errors.forCode(all.errorCode()), all.errorMessage());
      Map<String, DescribeConfigsResourceResult> entries = byName(all);
      assertEquals(TopicConfigs.names(), entries.keySet());
      entries.forEach((name, entry) -> assertEntry(version, detailed, defaults, name, entry, OVERRIDES.get(name), false));
    }

    DescribeConfigsResult some = describeOne(broker, version, true, topicResource(topic, List.of("retention.ms", "segment.bytes")));
    assertEquals(Map.of("retention.ms", "3600000", "segment.bytes", defaults.defaultValue("segment.bytes")),
        some.configs().stream().collect(Collectors.toMap(DescribeConfigsResourceResult::name, DescribeConfigsResourceResult::value)));

    DescribeConfigsResult emptyKeys = describeOne(broker, version, false, topicResource(topic, List.of()));
    assertEquals(TopicConfigs.names(), byName(emptyKeys).keySet(), "an empty key list asks for every config");

    DescribeConfigsResult unknown = describeOne(broker, version, true,
        topicResource(broker.uniqueTopicName("describe-configs-unknown"), null));
    assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.forCode(unknown.errorCode()));
    assertTrue(unknown.configs().isEmpty());
    DescribeConfigsResult invalid = describeOne(broker, version, true, topicResource("bad/name", null));
    assertEquals(Errors.INVALID_TOPIC_EXCEPTION, Errors.forCode(invalid.errorCode()));

    DescribeConfigsResult self = describeOne(broker, version, true, new DescribeConfigsResource()
        .setResourceType(ConfigResource.Type.BROKER.id()).setResourceName(String.valueOf(broker.nodeId())));
    assertEquals(Errors.NONE, Errors.forCode(self.errorCode()), self.errorMessage());
    Set<String> brokerNames = new HashSet<>(TopicConfigs.names());
    brokerNames.addAll(BrokerConfigs.names());
    assertEquals(brokerNames, byName(self).keySet(), "the topic defaults and the dynamic broker configs");
    byName(self).forEach((name, entry) -> {
      if (BrokerConfigs.names().contains(name)) {
        assertDynamicBrokerEntry(version, name, entry);
      } else {
        assertEntry(version, true, defaults, name, entry, null, true);
      }
    });
    DescribeConfigsResult otherBroker = describeOne(broker, version, true, new DescribeConfigsResource()
        .setResourceType(ConfigResource.Type.BROKER.id()).setResourceName(String.valueOf(broker.nodeId() + 1)));
    assertEquals(Errors.INVALID_REQUEST, Errors.forCode(otherBroker.errorCode()));
  }

  private static DescribeConfigsResource topicResource(String name, List<String> keys) {
    return new DescribeConfigsResource().setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName(name)
        .setConfigurationKeys(keys);
  }

  /** Describes one resource as a client of {@code version} does; {@code detailed} asks for synonyms and documentation. */
  private static DescribeConfigsResult describeOne(ConformanceBroker broker, short version, boolean detailed,
      DescribeConfigsResource resource) throws Exception {
    DescribeConfigsRequestData request = new DescribeConfigsRequestData().setResources(List.of(resource))
        .setIncludeSynonyms(detailed);
    if (version >= 3) {
      request.setIncludeDocumentation(detailed);
    }
    DescribeConfigsResponse response = broker.send(request, version);
    assertEquals(1, response.data().results().size());
    DescribeConfigsResult result = response.data().results().get(0);
    assertEquals(resource.resourceType(), result.resourceType());
    assertEquals(resource.resourceName(), result.resourceName());
    return result;
  }

  private static Map<String, DescribeConfigsResourceResult> byName(DescribeConfigsResult result) {
    return result.configs().stream().collect(Collectors.toMap(DescribeConfigsResourceResult::name, c -> c));
  }

  private static void assertEntry(short version, boolean detailed, TopicConfigs defaults, String name,
      DescribeConfigsResourceResult entry, String override, boolean readOnly) {
    String defaultValue = defaults.defaultValue(name);
    assertEquals(override == null ? defaultValue : override, entry.value(), name);
    ConfigSource defaultSource = defaults.setByOperator(name) ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG;
    assertEquals(override == null ? defaultSource.id() : ConfigSource.TOPIC_CONFIG.id(), entry.configSource(), name);
    assertEquals(readOnly, entry.readOnly(), name + " read-only");
    assertFalse(entry.isSensitive(), name);
    if (detailed) {
      List<DescribeConfigsSynonym> synonyms = entry.synonyms();
      assertEquals(override == null ? 1 : 2, synonyms.size(), name + " synonyms");
      if (override != null) {
        assertSynonym(name, override, ConfigSource.TOPIC_CONFIG, synonyms.get(0));
      }
      assertSynonym(name, defaultValue, defaultSource, synonyms.get(synonyms.size() - 1));
    } else {
      assertTrue(entry.synonyms().isEmpty(), name + " synonyms without include_synonyms");
    }
    if (version >= 3) {
      assertTrue(entry.configType() != ConfigType.UNKNOWN.id(), name + " has no type");
      if (TYPES.containsKey(name)) {
        assertEquals(TYPES.get(name).id(), entry.configType(), name);
      }
      if (detailed) {
        assertFalse(entry.documentation() == null || entry.documentation().isBlank(), name + " has no documentation");
      } else {
        assertNull(entry.documentation(), name + " documentation without include_documentation");
      }
    } else {
      assertEquals(ConfigType.UNKNOWN.id(), entry.configType());
    }
  }

  /**
   * A dynamic broker config nobody set: Kafka's default (unlimited: a long, or for the log cleaner's
   * I/O limit a double), alterable.
   */
  private static void assertDynamicBrokerEntry(short version, String name, DescribeConfigsResourceResult entry) {
    boolean cleaner = name.equals(BrokerConfigs.LOG_CLEANER_IO_MAX_BYTES_PER_SECOND);
    String unlimited = cleaner ? String.valueOf(Double.MAX_VALUE) : String.valueOf(Long.MAX_VALUE);
    assertEquals(unlimited, entry.value(), name);
    assertEquals(ConfigSource.DEFAULT_CONFIG.id(), entry.configSource(), name);
    assertFalse(entry.readOnly(), name + " is dynamic");
    assertEquals(1, entry.synonyms().size(), name + " synonyms");
    assertSynonym(name, unlimited, ConfigSource.DEFAULT_CONFIG, entry.synonyms().get(0));
    if (version >= 3) {
      assertEquals(cleaner ? ConfigType.DOUBLE.id() : ConfigType.LONG.id(), entry.configType(), name);
      assertFalse(entry.documentation() == null || entry.documentation().isBlank(), name + " has no documentation");
    }
  }

  private static void assertSynonym(String name, String value, ConfigSource source, DescribeConfigsSynonym synonym) {
    assertEquals(name, synonym.name());
    assertEquals(value, synonym.value(), name);
    assertEquals(source.id(), synonym.source(), name);
  }
}
