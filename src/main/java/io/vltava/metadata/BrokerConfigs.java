package io.vltava.metadata;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;

/**
 * The broker settings an operator may change at run time, per broker, with AlterConfigs on a BROKER
 * resource (Kafka's dynamic broker configs); they live in the cluster state. Only the replication
 * throttles that {@code kafka-reassign-partitions --throttle} sets are dynamic: every other broker
 * setting is read from the node's configuration file.
 */
public final class BrokerConfigs {
  private BrokerConfigs() {}

  /** Bytes per second a leader sends to its throttled followers. */
  public static final String LEADER_REPLICATION_THROTTLED_RATE = "leader.replication.throttled.rate";
  /** Bytes per second a broker's followers fetch for their throttled replicas. */
  public static final String FOLLOWER_REPLICATION_THROTTLED_RATE = "follower.replication.throttled.rate";
  /** Moves between log directories of one broker; accepted, without effect: a node has one data directory. */
  public static final String REPLICA_ALTER_LOG_DIRS_IO_MAX_BYTES_PER_SECOND = "replica.alter.log.dirs.io.max.bytes.per.second";

  /** The value that means "not throttled", as in Kafka. */
  public static final long UNLIMITED = Long.MAX_VALUE;

  private static final Set<String> NAMES =
      Set.of(LEADER_REPLICATION_THROTTLED_RATE, FOLLOWER_REPLICATION_THROTTLED_RATE, REPLICA_ALTER_LOG_DIRS_IO_MAX_BYTES_PER_SECOND);

  public static Set<String> names() {
    return NAMES;
  }

  /** What DescribeConfigs says a dynamic config does. */
  public static String documentation(String name) {
    return switch (name) {
      case LEADER_REPLICATION_THROTTLED_RATE ->
          "Bytes per second this broker sends, as leader, to out-of-sync followers of the replicas in leader.replication.throttled.replicas.";
      case FOLLOWER_REPLICATION_THROTTLED_RATE ->
          "Bytes per second this broker fetches for its out-of-sync replicas in follower.replication.throttled.replicas.";
      default -> "Moves between log directories of one broker; without effect, a node has one data directory.";
    };
  }

  /** Throws InvalidRequestException for a config that cannot be set dynamically, InvalidConfigurationException for a bad value. */
  public static void validate(Map<String, String> overrides) {
    overrides.forEach((name, value) -> {
      if (!NAMES.contains(name)) {
        // Kafka answers INVALID_REQUEST for a broker config that cannot be updated dynamically.
        throw new InvalidRequestException("Broker config " + name + " cannot be changed at run time; set it in the node's"
            + " configuration file. Dynamic broker configs: " + NAMES);
      }
      rate(name, value);
    });
  }

  /** A rate in bytes per second from a broker's overrides; {@link #UNLIMITED} when not set. */
  public static long rate(Map<String, String> overrides, String name) {
    String value = overrides.get(name);
    return value == null ? UNLIMITED : rate(name, value);
  }

  private static long rate(String name, String value) {
    try {
      long rate = Long.parseLong(value == null ? "" : value.trim());
      if (rate >= 0) {
        return rate;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidConfigurationException("Invalid value " + value + " for configuration " + name + ": a number of bytes per second >= 0");
  }
}
