package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.metadata.TopicState;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;

/**
 * CreateTopics as Admin clients send it: v2-v4 answer only an error per topic, v5 adds the
 * partition count, replication factor and effective configs, v7 the topic id; from v4 a count or
 * replication factor of -1 takes the broker default.
 */
final class CreateTopicsCase implements ApiCase {
  private static final Map<String, String> OVERRIDES = Map.of("retention.ms", "3600000", "max.message.bytes", "65536");

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.CREATE_TOPICS;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    String created = broker.uniqueTopicName("create-topics");
    String validated = broker.uniqueTopicName("create-topics-validated");
    CreatableTopicResult result = createOne(broker, version, false, topic(created, 3, (short) 1, OVERRIDES));
    assertCreated(broker, version, result, 3, OVERRIDES);
    TopicState stored = broker.topic(created).orElseThrow(() -> new AssertionError(created + " not in the metadata"));
    assertEquals(3, stored.partitionCount());
    assertEquals(OVERRIDES, stored.configs());
    assertEquals(version >= 7 ? broker.topicId(created) : Uuid.ZERO_UUID, result.topicId());

    CreatableTopicResult validation = createOne(broker, version, true, topic(validated, 2, (short) 1, Map.of("retention.ms", "60000")));
    assertCreated(broker, version, validation, 2, Map.of("retention.ms", "60000"));
    assertTrue(broker.topic(validated).isEmpty(), "validate_only created " + validated);

    checkRefusals(broker, version, created, validated);
    // validate_only counts against the quota too, as in Kafka's controller.
    MutationQuotaChecks.check(broker, apiKey(), version, (short) 6, (connection, first) -> {
      CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(30_000).setValidateOnly(true);
      request.topics().add(topic(broker.uniqueTopicName("create-topics-quota"), first ? MutationQuotaChecks.OVERDRAWING : 1,
          (short) 1, Map.of()));
      return connection.send(request, version);
    }, response -> Errors.forCode(((CreateTopicsResponse) response).data().topics().iterator().next().errorCode()));
    if (version >= 4) {
      checkDefaults(broker, version);
    }
  }

  /** Each way a topic can be refused, tried with the name {@code fresh} that must stay unused. */
  private static void checkRefusals(ConformanceBroker broker, short version, String existing, String fresh) throws Exception {
    assertRefused(broker, version, Errors.TOPIC_ALREADY_EXISTS, topic(existing, 1, (short) 1, Map.of()));
    assertRefused(broker, version, Errors.INVALID_PARTITIONS, topic(fresh, 0, (short) 1, Map.of()));
    assertRefused(broker, version, Errors.INVALID_REPLICATION_FACTOR, topic(fresh, 1, (short) 2, Map.of()));
    assertRefused(broker, version, Errors.INVALID_REPLICATION_FACTOR, topic(fresh, 1, (short) 0, Map.of()));
    assertRefused(broker, version, Errors.INVALID_CONFIG, topic(fresh, 1, (short) 1, Map.of("retention.ms", "a week")));
    assertRefused(broker, version, Errors.INVALID_CONFIG, topic(fresh, 1, (short) 1, Map.of("no.such.config", "1")));
    // Kafka's controller produces at most 10,000 records per request: one per topic, partition and config.
    assertRefused(broker, version, Errors.POLICY_VIOLATION, topic(fresh, 10_000, (short) 1, Map.of()));
    assertRefused(broker, version, Errors.INVALID_TOPIC_EXCEPTION, topic("bad/name", 1, (short) 1, Map.of()));
    String dotted = broker.createTopic("create.topics", 1);
    assertRefused(broker, version, Errors.INVALID_TOPIC_EXCEPTION, topic(dotted.replace('.', '_'), 1, (short) 1, Map.of()));
    CreatableTopic nullConfig = topic(fresh, 1, (short) 1, Map.of());
    nullConfig.configs().add(new CreatableTopicConfig().setName("retention.ms").setValue(null));
    assertRefused(broker, version, Errors.INVALID_CONFIG, nullConfig);
    CreatableTopic assigned = topic(fresh, -1, (short) -1, Map.of());
    assigned.assignments().add(new CreatableReplicaAssignment().setPartitionIndex(0).setBrokerIds(List.of(broker.nodeId())));
    assertRefused(broker, version, Errors.INVALID_REPLICA_ASSIGNMENT, assigned);
    assertTrue(broker.topic(fresh).isEmpty(), "a refused request created " + fresh);

    CreateTopicsRequestData twice = new CreateTopicsRequestData().setTimeoutMs(30_000);
    twice.topics().add(topic(fresh, 1, (short) 1, Map.of()));
    twice.topics().add(topic(fresh, 2, (short) 1, Map.of()));
    CreateTopicsResponse refusedTwice = broker.send(twice, version);
    assertEquals(1, refusedTwice.data().topics().size());
    assertEquals(Errors.INVALID_REQUEST, Errors.forCode(refusedTwice.data().topics().find(fresh).errorCode()));
    assertTrue(broker.topic(fresh).isEmpty(), "a topic named twice was created");

    String second = broker.uniqueTopicName("create-topics-too-many");
    CreateTopicsRequestData tooLarge = new CreateTopicsRequestData().setTimeoutMs(30_000);
    tooLarge.topics().add(topic(fresh, 5_000, (short) 1, Map.of()));
    tooLarge.topics().add(topic(second, 5_000, (short) 1, Map.of("retention.ms", "60000")));
    CreateTopicsResponse refusedWhole = broker.send(tooLarge, version);
    assertEquals(Errors.POLICY_VIOLATION, Errors.forCode(refusedWhole.data().topics().find(fresh).errorCode()));
    assertEquals(Errors.POLICY_VIOLATION, Errors.forCode(refusedWhole.data().topics().find(second).errorCode()));
    assertTrue(broker.topic(fresh).isEmpty() && broker.topic(second).isEmpty(), "a request over the limit created topics");
  }

  /** From v4 a partition count and replication factor of -1 take the broker defaults. */
  private static void checkDefaults(ConformanceBroker broker, short version) throws Exception {
    String defaulted = broker.uniqueTopicName("create-topics-defaults");
    int defaultPartitions = broker.node().settings().numPartitions();
    CreatableTopicResult withDefaults = createOne(broker, version, false, topic(defaulted, -1, (short) -1, Map.of()));
    assertCreated(broker, version, withDefaults, defaultPartitions, Map.of());
    assertEquals(defaultPartitions, broker.topic(defaulted).orElseThrow().partitionCount());
    assertEquals(broker.node().settings().defaultReplicationFactor(),
        broker.topic(defaulted).orElseThrow().partitions().get(0).replicas().size());
  }

  private static CreatableTopic topic(String name, int partitions, short replicationFactor, Map<String, String> configs) {
    CreatableTopic topic = new CreatableTopic().setName(name).setNumPartitions(partitions).setReplicationFactor(replicationFactor);
    configs.forEach((key, value) -> topic.configs().add(new CreatableTopicConfig().setName(key).setValue(value)));
    return topic;
  }

  private static CreatableTopicResult createOne(ConformanceBroker broker, short version, boolean validateOnly, CreatableTopic topic)
      throws Exception {
    CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(30_000).setValidateOnly(validateOnly);
    request.topics().add(topic);
    CreateTopicsResponse response = broker.send(request, version);
    assertEquals(1, response.data().topics().size());
    CreatableTopicResult result = response.data().topics().find(topic.name());
    assertNotNull(result, "no result for " + topic.name());
    return result;
  }

  private static void assertCreated(ConformanceBroker broker, short version, CreatableTopicResult result, int partitions,
      Map<String, String> overrides) {
    assertEquals(Errors.NONE, Errors.forCode(result.errorCode()), result.errorMessage());
    if (version < 5) {
      assertEquals(-1, result.numPartitions());
      return;
    }
    assertEquals(partitions, result.numPartitions());
    assertEquals(1, result.replicationFactor());
    Map<String, CreatableTopicConfigs> configs =
        result.configs().stream().collect(Collectors.toMap(CreatableTopicConfigs::name, c -> c));
    assertEquals(broker.node().settings().topicConfigs().effective(Map.of()).keySet(), configs.keySet());
    configs.forEach((name, config) -> {
      boolean overridden = overrides.containsKey(name);
      assertEquals(overridden ? overrides.get(name) : broker.node().settings().topicConfigs().defaultValue(name),
          config.value(), name);
      ConfigSource defaultSource = broker.node().settings().topicConfigs().setByOperator(name)
          ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG;
      assertEquals(overridden ? ConfigSource.TOPIC_CONFIG.id() : defaultSource.id(), config.configSource(), name);
      assertEquals(false, config.readOnly(), name);
      assertEquals(false, config.isSensitive(), name);
    });
  }

  private static void assertRefused(ConformanceBroker broker, short version, Errors error, CreatableTopic topic) throws Exception {
    CreatableTopicResult result = createOne(broker, version, false, topic);
    assertEquals(error, Errors.forCode(result.errorCode()), topic.name() + ": " + result.errorMessage());
    assertNotNull(result.errorMessage(), "error message");
    if (version >= 5) {
      assertEquals(-1, result.numPartitions());
      assertEquals(-1, result.replicationFactor());
    }
  }
}
