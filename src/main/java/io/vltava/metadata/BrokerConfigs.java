package io.vltava.metadata;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;

/**
 * The broker settings an operator may change at run time, per broker, with AlterConfigs on a BROKER
 * resource (Kafka's dynamic broker configs); they live in the cluster state. Only the replication
 * throttles that {@code kafka-reassign-partitions --throttle} sets and the log cleaner's I/O limit
 * are dynamic: every other broker setting is read from the node's configuration file.
 */
public final class BrokerConfigs {
  private BrokerConfigs() {}

  /** Bytes per second a leader sends to its throttled followers. */
  public static final String LEADER_REPLICATION_THROTTLED_RATE = "leader.replication.throttled.rate";
  /** Bytes per second a broker's followers fetch for their throttled replicas. */
  public static final String FOLLOWER_REPLICATION_THROTTLED_RATE = "follower.replication.throttled.rate";
  /** Moves between log directories of one broker; accepted, without effect: a node has one data directory. */
  public static final String REPLICA_ALTER_LOG_DIRS_IO_MAX_BYTES_PER_SECOND = "replica.alter.log.dirs.io.max.bytes.per.second";

  /** Bytes per second the broker's log cleaner threads read and write together; overrides vltava.log-cleaner's. */
  public static final String LOG_CLEANER_IO_MAX_BYTES_PER_SECOND = "log.cleaner.io.max.bytes.per.second";

  /** The value that means "not throttled", as in Kafka. */
  public static final long UNLIMITED = Long.MAX_VALUE;
  /** Kafka's default of log.cleaner.io.max.bytes.per.second, a double: unlimited. */
  public static final double CLEANER_UNLIMITED = Double.MAX_VALUE;

  private static final ConfigDef.Validator POSITIVE = (name, value) -> {
    if (!((Double) value > 0)) {
      throw new ConfigException(name, value, "a number of bytes per second > 0");
    }
  };

  /** Every dynamic broker config, with Kafka's default (unlimited), its type, rule and documentation. */
  private static final ConfigDef DEFINITION = new ConfigDef()
      .define(FOLLOWER_REPLICATION_THROTTLED_RATE, ConfigDef.Type.LONG, UNLIMITED, ConfigDef.Range.atLeast(0), ConfigDef.Importance.MEDIUM,
          "Bytes per second this broker fetches for its out-of-sync replicas in follower.replication.throttled.replicas.")
      .define(LEADER_REPLICATION_THROTTLED_RATE, ConfigDef.Type.LONG, UNLIMITED, ConfigDef.Range.atLeast(0), ConfigDef.Importance.MEDIUM,
          "Bytes per second this broker sends, as leader, to out-of-sync followers of the replicas in leader.replication.throttled.replicas.")
      .define(LOG_CLEANER_IO_MAX_BYTES_PER_SECOND, ConfigDef.Type.DOUBLE, CLEANER_UNLIMITED, POSITIVE, ConfigDef.Importance.MEDIUM,
          "Bytes per second this broker's log cleaner threads read and write together.")
      .define(REPLICA_ALTER_LOG_DIRS_IO_MAX_BYTES_PER_SECOND, ConfigDef.Type.LONG, UNLIMITED, ConfigDef.Range.atLeast(0),
          ConfigDef.Importance.MEDIUM, "Moves between log directories of one broker; without effect, a node has one data directory.");

  public static Set<String> names() {
    return java.util.Collections.unmodifiableSet(DEFINITION.configKeys().keySet());
  }

  /** The value type of a dynamic config. */
  public static ConfigDef.Type type(String name) {
    return DEFINITION.configKeys().get(name).type;
  }

  /** Kafka's default of a dynamic config: unlimited. */
  public static String kafkaDefault(String name) {
    return String.valueOf(DEFINITION.configKeys().get(name).defaultValue);
  }

  /** What DescribeConfigs says a dynamic config does. */
  public static String documentation(String name) {
    return DEFINITION.configKeys().get(name).documentation;
  }

  /** Throws InvalidRequestException for a config that cannot be set dynamically, InvalidConfigurationException for a bad value. */
  public static void validate(Map<String, String> overrides) {
    overrides.forEach((name, value) -> {
      if (!names().contains(name)) {
        // Kafka answers INVALID_REQUEST for a broker config that cannot be updated dynamically.
        throw new InvalidRequestException("Broker config " + name + " cannot be changed at run time; set it in the node's"
            + " configuration file. Dynamic broker configs: " + names());
      }
      parse(name, value);
    });
  }

  /** The log cleaner's I/O limit from a broker's overrides; {@code configured} (the node's file) when not set. */
  public static double cleanerIoRate(Map<String, String> overrides, double configured) {
    String value = overrides.get(LOG_CLEANER_IO_MAX_BYTES_PER_SECOND);
    return value == null ? configured : (Double) parse(LOG_CLEANER_IO_MAX_BYTES_PER_SECOND, value);
  }

  /** A rate in bytes per second from a broker's overrides; {@link #UNLIMITED} when not set. */
  public static long rate(Map<String, String> overrides, String name) {
    String value = overrides.get(name);
    return value == null ? UNLIMITED : (Long) parse(name, value);
  }

  /** {@code value} as the config's type, checked by its rule; InvalidConfigurationException naming both if it is not one. */
  private static Object parse(String name, String value) {
    if (value == null) {
      throw new InvalidConfigurationException("Invalid value null for configuration " + name);
    }
    ConfigDef.ConfigKey key = DEFINITION.configKeys().get(name);
    try {
      Object parsed = ConfigDef.parseType(name, value, key.type);
      key.validator.ensureValid(name, parsed);
      return parsed;
    } catch (ConfigException e) {
      throw new InvalidConfigurationException(e.getMessage());
    }
  }
}
