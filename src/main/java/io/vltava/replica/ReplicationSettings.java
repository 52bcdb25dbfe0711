package io.vltava.replica;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.vltava.util.SettingsReader;
import java.time.Duration;

/**
 * How followers keep up with leaders, read from {@code vltava.replication} in reference.conf: the
 * ISR rules, the follower's fetches (Kafka's {@code replica.fetch.*}), how long replication waits
 * on the partition actors, and how often catch-up progress is logged.
 */
public record ReplicationSettings(
    Duration replicaLagMax,
    Duration highWatermarkCheckpointInterval,
    boolean autoLeaderRebalance,
    Duration storageRetryBackoff,
    Duration storageRetryBackoffMax,
    Duration fetchWaitMax,
    int fetchMaxBytes,
    int fetchResponseMaxBytes,
    Duration fetchBackoff,
    Duration fetchBackoffMax,
    Duration socketTimeout,
    Duration connectTimeout,
    Duration writeTimeout,
    Duration leaderAppendTimeout,
    Duration leaderWait,
    Duration isrCheckIntervalMax,
    Duration progressLogInterval) {

  static final String SECTION = "vltava.replication";

  /** Reads {@code vltava.replication} from the node's whole config, naming the key of any bad value. */
  public static ReplicationSettings from(Config config) {
    SettingsReader section = new SettingsReader(config, SECTION);
    ReplicationSettings settings = new ReplicationSettings(
        section.millis("replica.lag.time.max.ms", 1),
        section.millis("replica.high.watermark.checkpoint.interval.ms", 1),
        section.bool("auto.leader.rebalance.enable"),
        section.millis("replica.storage.retry.backoff.ms", 1),
        section.millis("replica.storage.retry.backoff.max.ms", 1),
        section.millis("replica.fetch.wait.max.ms", 0),
        section.intAtLeast("replica.fetch.max.bytes", 1),
        section.intAtLeast("replica.fetch.response.max.bytes", 1),
        section.millis("replica.fetch.backoff.ms", 1),
        section.millis("replica.fetch.backoff.max.ms", 1),
        section.millis("replica.socket.timeout.ms", 1),
        section.millis("socket.connection.setup.timeout.ms", 1),
        section.positiveDuration("follower-write-timeout"),
        section.positiveDuration("leader-append-timeout"),
        section.positiveDuration("leader-placement-wait"),
        section.positiveDuration("isr-check-interval-max"),
        section.positiveDuration("progress-log-interval"));
    if (settings.fetchBackoffMax.compareTo(settings.fetchBackoff) < 0) {
      throw new ConfigException.BadValue(section.path("replica.fetch.backoff.max.ms"),
          "must not be below replica.fetch.backoff.ms (" + settings.fetchBackoff.toMillis() + ")");
    }
    if (settings.socketTimeout.compareTo(settings.fetchWaitMax) <= 0) {
      // As Kafka requires: a fetch parked for its whole max wait must not look like a dead leader.
      throw new ConfigException.BadValue(section.path("replica.socket.timeout.ms"),
          "must be above replica.fetch.wait.max.ms (" + settings.fetchWaitMax.toMillis() + ")");
    }
    if (settings.storageRetryBackoffMax.compareTo(settings.storageRetryBackoff) < 0) {
      throw new ConfigException.BadValue(section.path("replica.storage.retry.backoff.max.ms"),
          "must not be below replica.storage.retry.backoff.ms (" + settings.storageRetryBackoff.toMillis() + ")");
    }
    return settings;
  }

  /** The wait after {@code failedRounds} failed fetch rounds in a row: doubling from the backoff, bounded. */
  long fetchBackoffMs(int failedRounds) {
    int doublings = Math.min(Math.max(failedRounds, 1) - 1, 16);
    return Math.min(fetchBackoffMax.toMillis(), fetchBackoff.toMillis() << doublings);
  }
}
