package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.vltava.http.console.ConsoleSettings;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NodeSettingsTest {

  @Test
  void noConfigAtAllGivesTheDocumentedDefaults() {
    NodeSettings settings = NodeSettings.from(NodeSettings.load(ConfigFactory.empty()));
    assertEquals(1, settings.nodeId());
    assertEquals(Path.of("vltava-data"), settings.dataDir());
    assertEquals("127.0.0.1", settings.listener().advertisedHost());
    assertEquals(9092, settings.listener().port());
    assertEquals(1, settings.numPartitions());
    assertTrue(settings.autoCreateTopics());
    assertEquals("604800000", settings.topicConfigs().defaultValue("retention.ms"));
  }

  @Test
  void topicDefaultsTellTheOperatorsSettingsFromTheBuiltInOnes() {
    NodeSettings settings = NodeSettings.from(NodeSettings.load(ConfigFactory.parseString(
        "vltava.topic-defaults.retention.ms = 3600000\nvltava.topic-defaults.segment.ms = 604800000")));
    assertEquals("3600000", settings.topicConfigs().defaultValue("retention.ms"));
    assertTrue(settings.topicConfigs().setByOperator("retention.ms"));
    assertTrue(settings.topicConfigs().setByOperator("segment.ms"), "set, though to the built-in value");
    assertFalse(settings.topicConfigs().setByOperator("max.message.bytes"));
  }

  @Test
  void anUnknownSettingStopsStartUpNamingIt() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> NodeSettings.load(ConfigFactory.parseString("vltava.topics.num.partitons = 3")));
    assertTrue(e.getMessage().contains("vltava.topics.num.partitons"), e.getMessage());
  }

  @Test
  void anIllTypedSettingStopsStartUpNamingIt() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> NodeSettings.from(NodeSettings.load(ConfigFactory.parseString("vltava.listener.port = ninety"))));
    assertTrue(e.getMessage().contains("listener.port"), e.getMessage());
  }

  @Test
  void theHttpPortIsAPortZeroOrOff() {
    assertEquals(9644, NodeSettings.from(NodeSettings.load(ConfigFactory.empty())).httpPort());
    assertEquals(NodeSettings.HTTP_DISABLED, NodeSettings.from(NodeSettings.load(ConfigFactory.parseString("vltava.http.port = -1"))).httpPort());
    ConfigException e = assertThrows(ConfigException.class,
        () -> NodeSettings.from(NodeSettings.load(ConfigFactory.parseString("vltava.http.port = -2"))));
    assertTrue(e.getMessage().contains("vltava.http.port"), e.getMessage());
  }

  @Test
  void theConsoleLimitsComeFromReferenceConf() {
    assertEquals(new ConsoleSettings(Duration.ofSeconds(15), Duration.ofSeconds(20), Duration.ofSeconds(5), 500, 2, 32),
        NodeSettings.from(NodeSettings.load(ConfigFactory.empty())).console());
    assertEquals(1000, NodeSettings.from(NodeSettings.load(ConfigFactory.parseString("vltava.http.console.browse-max-records = 1000")))
        .console().browseMaxRecords());
    ConfigException e = assertThrows(ConfigException.class,
        () -> NodeSettings.from(NodeSettings.load(ConfigFactory.parseString("vltava.http.console.api-threads = 0"))));
    assertTrue(e.getMessage().contains("vltava.http.console.api-threads"), e.getMessage());
  }

  @Test
  void anInvalidTopicDefaultStopsStartUpNamingIt() {
    Exception e = assertThrows(RuntimeException.class, () -> NodeSettings.from(
        NodeSettings.load(ConfigFactory.parseString("vltava.topic-defaults.message.timestamp.type = Whenever"))));
    assertTrue(e.getMessage().contains("message.timestamp.type"), e.getMessage());
  }

  @Test
  void replicationAndRequestSettingsHaveTheirDocumentedDefaults() {
    NodeSettings settings = NodeSettings.from(NodeSettings.load(ConfigFactory.empty()));
    assertEquals(Duration.ofSeconds(30), settings.replication().replicaLagMax());
    assertEquals(Duration.ofMillis(500), settings.replication().fetchWaitMax());
    assertEquals(1024 * 1024, settings.replication().fetchMaxBytes());
    assertEquals(Duration.ofSeconds(10), settings.replication().progressLogInterval());
    assertEquals(Duration.ofSeconds(30), settings.requests().coordinatorTimeout());
    assertEquals(Duration.ofMinutes(5), settings.requests().syncGroupTimeout());
    assertEquals(Duration.ofSeconds(60), settings.startupTimeout());
    assertEquals(Duration.ofSeconds(10), settings.shutdownDrainTimeout());
  }

  @Test
  void replicationAndRequestSettingsAreRead() {
    NodeSettings settings = NodeSettings.from(NodeSettings.load(ConfigFactory.parseString(String.join("\n",
        "vltava.replication.replica.fetch.max.bytes = 65536",
        "vltava.replication.progress-log-interval = 2s",
        "vltava.requests.member-timeout = 3s",
        "vltava.startup-timeout = 2m"))));
    assertEquals(65536, settings.replication().fetchMaxBytes());
    assertEquals(Duration.ofSeconds(2), settings.replication().progressLogInterval());
    assertEquals(Duration.ofSeconds(3), settings.requests().memberTimeout());
    assertEquals(Duration.ofMinutes(2), settings.startupTimeout());
  }

  @Test
  void aMisspelledReplicationSettingStopsStartUpNamingIt() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> NodeSettings.load(ConfigFactory.parseString("vltava.replication.replica.fetch.max.byte = 1")));
    assertTrue(e.getMessage().contains("vltava.replication.replica.fetch.max.byte"), e.getMessage());
  }

  @Test
  void wrongTypesAndValuesStopStartUpNamingTheKey() {
    assertStartUpRefused("vltava.replication.replica.fetch.max.bytes = lots", "vltava.replication.replica.fetch.max.bytes");
    assertStartUpRefused("vltava.requests.member-timeout = soon", "vltava.requests.member-timeout");
    assertStartUpRefused("vltava.requests.coordinator-timeout = 0s", "vltava.requests.coordinator-timeout");
    assertStartUpRefused("vltava.replication.replica.fetch.max.bytes = 0", "vltava.replication.replica.fetch.max.bytes");
    assertStartUpRefused("vltava.replication.replica.socket.timeout.ms = 400", "vltava.replication.replica.socket.timeout.ms");
    assertStartUpRefused("vltava.listener.shutdown-drain-timeout = -1s", "vltava.listener.shutdown-drain-timeout");
  }

  private static void assertStartUpRefused(String setting, String key) {
    ConfigException e = assertThrows(ConfigException.class, () -> NodeSettings.from(NodeSettings.load(ConfigFactory.parseString(setting))));
    assertTrue(e.getMessage().contains(key), e.getMessage());
  }

  @Test
  void theExampleApplicationConfIsValid() {
    NodeSettings settings = NodeSettings.from(NodeSettings.load(ConfigFactory.parseFile(Path.of("application.conf").toFile())));
    assertEquals(1, settings.nodeId());
  }
}
