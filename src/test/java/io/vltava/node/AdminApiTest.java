package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import io.vltava.kafka.KafkaSocket;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Topic administration through the real kafka-clients AdminClient against one node. */
class AdminApiTest {
  @TempDir static Path dataDir;
  static VltavaNode node;
  static Admin admin;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(dataDir, Map.of("vltava.topics.auto.create.topics.enable", false,
        "vltava.topic-defaults.index.interval.bytes", 8192));
    admin = Admin.create(TestNodes.adminProps(node.bootstrapServers()));
  }

  @AfterAll
  static void stop() throws Exception {
    admin.close();
    node.close();
  }

  @Test
  void createsListsDescribesAndDeletesTopics() throws Exception {
    CreateTopicsResult created = admin.createTopics(List.of(new NewTopic("orders", 3, (short) 1)));
    assertEquals(3, created.numPartitions("orders").get());
    assertFalse(created.topicId("orders").get().toString().isEmpty());

    assertTrue(admin.listTopics().names().get().contains("orders"));
    TopicDescription description = admin.describeTopics(List.of("orders")).allTopicNames().get().get("orders");
    assertEquals(3, description.partitions().size());
    assertEquals(created.topicId("orders").get(), description.topicId());
    description.partitions().forEach(p -> assertEquals(1, p.leader().id()));

    admin.deleteTopics(List.of("orders")).all().get();
    assertFalse(admin.listTopics().names().get().contains("orders"));
    ExecutionException gone = assertThrows(ExecutionException.class,
        () -> admin.describeTopics(List.of("orders")).allTopicNames().get());
    assertInstanceOf(UnknownTopicOrPartitionException.class, gone.getCause());
  }

  @Test
  void recreatingADeletedTopicStartsAnEmptyLogWithANewId() throws Exception {
    var firstId = admin.createTopics(List.of(new NewTopic("again", 1, (short) 1))).topicId("again").get();
    admin.deleteTopics(List.of("again")).all().get();
    var secondId = admin.createTopics(List.of(new NewTopic("again", 1, (short) 1))).topicId("again").get();
    assertFalse(firstId.equals(secondId));
  }

  @Test
  void validateOnlyCreatesNothing() throws Exception {
    CreateTopicsResult result = admin.createTopics(
        List.of(new NewTopic("dry-run", 2, (short) 1)), new CreateTopicsOptions().validateOnly(true));
    assertEquals(2, result.numPartitions("dry-run").get());
    assertFalse(admin.listTopics().names().get().contains("dry-run"));
  }

  @Test
  void rejectsBadTopicsWithKafkasErrors() throws Exception {
    admin.createTopics(List.of(new NewTopic("exists", 1, (short) 1))).all().get();
    assertCause(TopicExistsException.class, admin.createTopics(List.of(new NewTopic("exists", 1, (short) 1))).all());
    assertCause(InvalidTopicException.class, admin.createTopics(List.of(new NewTopic("bad/name", 1, (short) 1))).all());
    assertCause(InvalidReplicationFactorException.class,
        admin.createTopics(List.of(new NewTopic("too-many-replicas", 1, (short) 3))).all());
    assertCause(InvalidConfigurationException.class, admin.createTopics(
        List.of(new NewTopic("bad-config", 1, (short) 1).configs(Map.of("retention.ms", "soon")))).all());
    assertCause(UnknownTopicOrPartitionException.class, admin.deleteTopics(List.of("never-was")).all());
  }

  @Test
  void createPartitionsGrowsATopicAndNeverShrinksIt() throws Exception {
    admin.createTopics(List.of(new NewTopic("growing", 2, (short) 1))).all().get();
    admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(5))).all().get();
    assertEquals(5, admin.describeTopics(List.of("growing")).allTopicNames().get().get("growing").partitions().size());
    assertCause(InvalidPartitionsException.class, admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(3))).all());
  }

  @Test
  void describesAndAltersTopicConfigs() throws Exception {
    admin.createTopics(List.of(new NewTopic("configured", 1, (short) 1).configs(Map.of("retention.ms", "60000")))).all().get();
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "configured");

    ConfigEntry retention = describe(resource).get("retention.ms");
    assertEquals("60000", retention.value());
    assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, retention.source());
    assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, describe(resource).get("segment.bytes").source());

    admin.incrementalAlterConfigs(Map.of(resource, List.of(
        new AlterConfigOp(new ConfigEntry("max.message.bytes", "2048"), AlterConfigOp.OpType.SET),
        new AlterConfigOp(new ConfigEntry("retention.ms", null), AlterConfigOp.OpType.DELETE)))).all().get();
    Config altered = describe(resource);
    assertEquals("2048", altered.get("max.message.bytes").value());
    assertEquals("604800000", altered.get("retention.ms").value());

    assertCause(InvalidConfigurationException.class, admin.incrementalAlterConfigs(Map.of(resource, List.of(
        new AlterConfigOp(new ConfigEntry("no.such.config", "1"), AlterConfigOp.OpType.SET)))).all());
    assertEquals("2048", describe(resource).get("max.message.bytes").value());
  }

  @Test
  void topicDefaultsFromTheNodesConfigurationAreStaticBrokerConfigs() throws Exception {
    admin.createTopics(List.of(new NewTopic("defaulted", 1, (short) 1))).all().get();
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "defaulted");
    Config configs = admin.describeConfigs(List.of(resource), new DescribeConfigsOptions().includeSynonyms(true))
        .all().get().get(resource);
    ConfigEntry indexInterval = configs.get("index.interval.bytes");
    assertEquals("8192", indexInterval.value());
    assertEquals(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG, indexInterval.source());
    assertEquals(List.of(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG),
        indexInterval.synonyms().stream().map(ConfigEntry.ConfigSynonym::source).toList());
    assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, configs.get("segment.bytes").source());
  }

  /** kafka-clients 4 no longer sends AlterConfigs, so the request goes over a plain socket; other clients still use it. */
  @Test
  void legacyAlterConfigsReplacesTheWholeSet() throws Exception {
    admin.createTopics(List.of(new NewTopic("replaced", 1, (short) 1).configs(Map.of("retention.ms", "60000")))).all().get();
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "replaced");
    var newSet = new AlterConfigsRequest.Config(List.of(new AlterConfigsRequest.ConfigEntry("segment.ms", "3600000")));
    try (KafkaSocket socket = new KafkaSocket(node.kafkaAddress())) {
      AlterConfigsResponse response = socket.roundTrip(new AlterConfigsRequest.Builder(Map.of(resource, newSet), false), 1);
      assertEquals(Errors.NONE.code(), response.data().responses().get(0).errorCode());
    }
    Config after = describe(resource);
    assertEquals("3600000", after.get("segment.ms").value());
    assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, after.get("retention.ms").source());
  }

  @Test
  void describesTheCluster() throws Exception {
    DescribeClusterResult cluster = admin.describeCluster();
    Collection<org.apache.kafka.common.Node> nodes = cluster.nodes().get();
    assertEquals(Set.of(1), Set.copyOf(nodes.stream().map(org.apache.kafka.common.Node::id).toList()));
    assertEquals(node.kafkaAddress().getPort(), nodes.iterator().next().port());
    assertEquals(1, cluster.controller().get().id());
    assertFalse(cluster.clusterId().get().isEmpty());
  }

  private static Config describe(ConfigResource resource) throws Exception {
    return admin.describeConfigs(List.of(resource)).all().get().get(resource);
  }

  private static void assertCause(Class<? extends Throwable> expected, org.apache.kafka.common.KafkaFuture<?> future) {
    ExecutionException e = assertThrows(ExecutionException.class, future::get);
    assertInstanceOf(expected, e.getCause(), e.getCause().toString());
  }
}
