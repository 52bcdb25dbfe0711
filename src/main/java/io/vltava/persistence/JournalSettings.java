package io.vltava.persistence;

import com.typesafe.config.Config;
import io.vltava.log.CleanupConfig;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.errors.InvalidConfigurationException;

/**
 * The typed reading of the journal plugin's config block ({@code vltava.journal}) and the snapshot
 * store's ({@code vltava.snapshot-store}), whose topic has the journal's partitions and replication.
 * Each topic's {@code topic-configs} are the configs it is created with.
 */
public record JournalSettings(String topic, int partitions, int replicationFactor, Duration writeTimeout,
    Map<String, String> topicConfigs, String snapshotTopic, Map<String, String> snapshotTopicConfigs) {

  public static final String PLUGIN_ID = "vltava.journal";
  public static final String SNAPSHOT_PLUGIN_ID = "vltava.snapshot-store";
  /** As Kafka's offsets.topic.replication.factor: the journal's replication factor unless configured. */
  private static final int DEFAULT_REPLICATION_FACTOR = 3;

  /** The replication factor the journal is raised to as brokers join: the configured one, else 3. */
  public int targetReplicationFactor() {
    return replicationFactor > 0 ? replicationFactor : DEFAULT_REPLICATION_FACTOR;
  }

  /**
   * The replication factor the journal is created with, once that many brokers are live: the
   * configured one, else 3 or the cluster's size if smaller.
   */
  public int initialReplicationFactor(int clusterSize) {
    return replicationFactor > 0 ? replicationFactor : Math.max(1, Math.min(DEFAULT_REPLICATION_FACTOR, clusterSize));
  }

  /**
   * Refuses turning compaction on for the journal topic: one that was created without it may hold
   * records of older versions, keyed by persistence id alone, of which compaction would keep only
   * the last of each entity. A journal topic created compacted ({@code topic-configs}) may be
   * switched to delete, but not back.
   */
  public void checkConfigChange(String changedTopic, String cleanupPolicyBefore, String cleanupPolicyAfter) {
    if (changedTopic.equals(topic) && !compacts(cleanupPolicyBefore) && compacts(cleanupPolicyAfter)) {
      throw new InvalidConfigurationException("The journal topic " + topic + " was not created compacted: it may hold "
          + "events of an older Vltava keyed by persistence id alone, which compaction would lose; "
          + "cleanup.policy cannot include compact.");
    }
  }

  private static boolean compacts(String cleanupPolicy) {
    return CleanupConfig.defaults().withPolicy(cleanupPolicy).compact();
  }

  public static JournalSettings from(Config config) {
    Config journal = config.getConfig(PLUGIN_ID);
    Config snapshots = config.getConfig(SNAPSHOT_PLUGIN_ID);
    return new JournalSettings(
        journal.getString("topic"),
        journal.getInt("partitions"),
        journal.getInt("replication-factor"),
        journal.getDuration("write-timeout"),
        topicConfigs(journal),
        snapshots.getString("topic"),
        topicConfigs(snapshots));
  }

  /** The {@code topic-configs} block of {@code plugin}; Kafka's dotted names are quoted keys there. */
  private static Map<String, String> topicConfigs(Config plugin) {
    Map<String, String> configs = new TreeMap<>();
    plugin.getConfig("topic-configs").entrySet()
        .forEach(e -> configs.put(e.getKey().replace("\"", ""), String.valueOf(e.getValue().unwrapped())));
    return Map.copyOf(configs);
  }
}
