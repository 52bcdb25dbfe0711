package io.vltava.persistence;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The typed reading of the journal plugin's config block ({@code vltava.journal}) and the snapshot
 * store's ({@code vltava.snapshot-store}), whose topic has the journal's partitions and replication.
 */
public record JournalSettings(String topic, int partitions, int replicationFactor, Duration writeTimeout,
    String snapshotTopic, Map<String, String> snapshotTopicConfigs) {

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

  public static JournalSettings from(Config config) {
    Config journal = config.getConfig(PLUGIN_ID);
    Config snapshots = config.getConfig(SNAPSHOT_PLUGIN_ID);
    Map<String, String> snapshotTopicConfigs = new TreeMap<>();
    snapshots.getConfig("topic-configs").entrySet()
        .forEach(e -> snapshotTopicConfigs.put(e.getKey().replace("\"", ""), String.valueOf(e.getValue().unwrapped())));
    return new JournalSettings(
        journal.getString("topic"),
        journal.getInt("partitions"),
        journal.getInt("replication-factor"),
        journal.getDuration("write-timeout"),
        snapshots.getString("topic"),
        Map.copyOf(snapshotTopicConfigs));
  }
}
