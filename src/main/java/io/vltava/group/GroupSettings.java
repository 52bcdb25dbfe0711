package io.vltava.group;

import com.typesafe.config.Config;
import io.vltava.util.SettingsReader;
import java.time.Duration;

/** The typed reading of {@code vltava.groups}. */
public record GroupSettings(
    Duration initialRebalanceDelay,
    int minSessionTimeoutMs,
    int maxSessionTimeoutMs,
    Duration offsetsRetention,
    Duration offsetsRetentionCheckInterval,
    Duration offsetsCommitTimeout,
    Duration coordinatorRestartBackoff,
    Duration coordinatorRestartBackoffMax,
    int offsetsSnapshotEvery) {

  public static GroupSettings from(Config config) {
    Config groups = config.getConfig("vltava.groups");
    return new GroupSettings(
        Duration.ofMillis(groups.getLong("group.initial.rebalance.delay.ms")),
        groups.getInt("group.min.session.timeout.ms"),
        groups.getInt("group.max.session.timeout.ms"),
        Duration.ofMinutes(groups.getLong("offsets.retention.minutes")),
        Duration.ofMillis(groups.getLong("offsets.retention.check.interval.ms")),
        Duration.ofMillis(groups.getLong("offsets.commit.timeout.ms")),
        new SettingsReader(config, "vltava.groups").positiveDuration("coordinator-restart-backoff"),
        new SettingsReader(config, "vltava.groups").positiveDuration("coordinator-restart-backoff-max"),
        new SettingsReader(config, "vltava.groups").intAtLeast("offsets-snapshot-every", 1));
  }
}
