package io.vltava.persistence;

import com.typesafe.config.Config;
import java.time.Duration;

/** The typed reading of the journal plugin's config block ({@code vltava.journal}). */
public record JournalSettings(String topic, int partitions, int replicationFactor, Duration writeTimeout) {

  public static final String PLUGIN_ID = "vltava.journal";

  public static JournalSettings from(Config config) {
    Config journal = config.getConfig(PLUGIN_ID);
    return new JournalSettings(
        journal.getString("topic"),
        journal.getInt("partitions"),
        journal.getInt("replication-factor"),
        journal.getDuration("write-timeout"));
  }
}
