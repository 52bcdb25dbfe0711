package io.vltava.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

class TopicConfigsTest {
  private final TopicConfigs configs =
      TopicConfigs.fromConfig(ConfigFactory.defaultReference().getConfig("vltava.topic-defaults"));

  @Test
  void kafkasDefaultsDeleteOnly() {
    CleanupConfig cleanup = configs.logConfig(Map.of()).cleanup();
    assertEquals(new CleanupConfig(false, true, 86_400_000L, 0.5, 0, Long.MAX_VALUE), cleanup);
  }

  @Test
  void theCompactionSettingsReachTheLogConfig() {
    LogConfig config = configs.logConfig(Map.of("cleanup.policy", "compact,delete", "delete.retention.ms", "1000",
        "min.cleanable.dirty.ratio", "0.1", "min.compaction.lag.ms", "5", "max.compaction.lag.ms", "60000",
        "segment.ms", "3600000"));
    assertEquals(new CleanupConfig(true, true, 1000, 0.1, 5, 60000), config.cleanup());
    assertEquals(60000, config.rollAfterMs(), "a compacted log rolls by max.compaction.lag.ms when it is shorter");
    assertFalse(configs.logConfig(Map.of("cleanup.policy", "compact")).cleanup().delete());
    assertEquals(3600000, configs.logConfig(Map.of("cleanup.policy", "delete", "segment.ms", "3600000",
        "max.compaction.lag.ms", "60000")).rollAfterMs(), "max.compaction.lag.ms applies to compacted logs only");
  }

  @Test
  void badValuesAreRefusedByName() {
    for (Map<String, String> bad : new Map[] {
        Map.of("cleanup.policy", "shred"), Map.of("cleanup.policy", ""), Map.of("cleanup.policy", "compact,shred"),
        Map.of("min.cleanable.dirty.ratio", "1.5"), Map.of("min.cleanable.dirty.ratio", "half"),
        Map.of("delete.retention.ms", "-1"), Map.of("max.compaction.lag.ms", "0"), Map.of("min.compaction.lag.ms", "-5")}) {
      InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class, () -> configs.validate(bad));
      assertTrue(e.getMessage().contains(bad.keySet().iterator().next()), e.getMessage());
    }
    InvalidConfigurationException conflict = assertThrows(InvalidConfigurationException.class,
        () -> configs.validate(Map.of("min.compaction.lag.ms", "10", "max.compaction.lag.ms", "5")));
    assertTrue(conflict.getMessage().contains("min.compaction.lag.ms"));
    configs.validate(Map.of("cleanup.policy", "delete,compact", "min.cleanable.dirty.ratio", "0"));
  }

  @Test
  void refusalsSayWhatIsWrongAsKafkaDoes() {
    InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
        () -> configs.validate(Map.of("retention.ms", "a week")));
    assertEquals("Invalid value a week for configuration retention.ms: Not a number of type LONG", e.getMessage());
    e = assertThrows(InvalidConfigurationException.class, () -> configs.validate(Map.of("segment.bytes", "13")));
    assertEquals("Invalid value 13 for configuration segment.bytes: Value must be at least 14", e.getMessage());
    e = assertThrows(InvalidConfigurationException.class, () -> configs.validate(Map.of("no.such.config", "1")));
    assertEquals("Unknown topic config name: no.such.config", e.getMessage());
    for (String bad : new String[] {"*,0:1", "0:x", "0"}) {
      assertThrows(InvalidConfigurationException.class, () -> configs.validate(Map.of("leader.replication.throttled.replicas", bad)), bad);
    }
    configs.validate(Map.of("leader.replication.throttled.replicas", "0:1, 1 : 2", "follower.replication.throttled.replicas", "*"));
    configs.validate(Map.of("follower.replication.throttled.replicas", ""));
  }

  @Test
  void valuesAreReadAsTheirTypes() {
    LogConfig config = configs.logConfig(Map.of("segment.bytes", "4096", "message.timestamp.type", "LogAppendTime",
        "retention.bytes", "-1"));
    assertEquals(4096, config.segmentBytes());
    assertEquals(org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME, config.timestampType());
    assertEquals(2, configs.minInsyncReplicas(Map.of("min.insync.replicas", "2")));
    assertTrue(configs.uncleanLeaderElection(Map.of("unclean.leader.election.enable", "true")));
    assertFalse(configs.uncleanLeaderElection(Map.of()));
  }
}
