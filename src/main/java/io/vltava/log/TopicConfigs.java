package io.vltava.log;

import com.typesafe.config.Config;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.record.TimestampType;

/**
 * The topic-level settings Vltava honours, by Kafka's names, with the broker-wide defaults a topic
 * inherits. A topic stores only its overrides; {@link #logConfig} resolves them over the defaults.
 */
public final class TopicConfigs {

  public static final String CLEANUP_POLICY = "cleanup.policy";
  public static final String FLUSH_MESSAGES = "flush.messages";
  public static final String FLUSH_MS = "flush.ms";
  public static final String INDEX_INTERVAL_BYTES = "index.interval.bytes";
  public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
  public static final String MESSAGE_TIMESTAMP_TYPE = "message.timestamp.type";
  public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
  public static final String RETENTION_BYTES = "retention.bytes";
  public static final String RETENTION_MS = "retention.ms";
  public static final String SEGMENT_BYTES = "segment.bytes";
  public static final String SEGMENT_INDEX_BYTES = "segment.index.bytes";
  public static final String SEGMENT_MS = "segment.ms";
  public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";
  /** Replicas ("partition:broker,..." or "*") whose leader-side replication traffic is throttled, as Kafka's. */
  public static final String LEADER_REPLICATION_THROTTLED_REPLICAS = "leader.replication.throttled.replicas";
  /** Replicas ("partition:broker,..." or "*") whose follower-side fetches are throttled, as Kafka's. */
  public static final String FOLLOWER_REPLICATION_THROTTLED_REPLICAS = "follower.replication.throttled.replicas";

  private static final Predicate<String> POSITIVE_INT = v -> parsesTo(v, s -> Integer.parseInt(s) > 0);
  private static final Predicate<String> NON_NEGATIVE_LONG = v -> parsesTo(v, s -> Long.parseLong(s) >= 0);
  private static final Predicate<String> LONG_OR_UNLIMITED = v -> parsesTo(v, s -> Long.parseLong(s) >= -1);
  private static final Predicate<String> BOOLEAN = v -> v.equals("true") || v.equals("false");
  private static final Predicate<String> REPLICA_LIST = v -> v.matches("\\s*(\\*|(\\d+\\s*:\\s*\\d+\\s*)(,\\s*\\d+\\s*:\\s*\\d+\\s*)*)?\\s*");

  /** Every supported name with the rule its value must meet; the order is the order DescribeConfigs lists them. */
  private static final Map<String, Predicate<String>> RULES = new LinkedHashMap<>();

  static {
    // Compaction is not implemented yet, so only deletion is accepted rather than silently ignored.
    RULES.put(CLEANUP_POLICY, "delete"::equals);
    RULES.put(FLUSH_MESSAGES, v -> parsesTo(v, s -> Long.parseLong(s) >= 1));
    RULES.put(FLUSH_MS, NON_NEGATIVE_LONG);
    RULES.put(INDEX_INTERVAL_BYTES, v -> parsesTo(v, s -> Integer.parseInt(s) >= 0));
    RULES.put(MAX_MESSAGE_BYTES, POSITIVE_INT);
    RULES.put(MESSAGE_TIMESTAMP_TYPE, v -> v.equals("CreateTime") || v.equals("LogAppendTime"));
    RULES.put(MIN_INSYNC_REPLICAS, POSITIVE_INT);
    RULES.put(RETENTION_BYTES, LONG_OR_UNLIMITED);
    RULES.put(RETENTION_MS, LONG_OR_UNLIMITED);
    RULES.put(SEGMENT_BYTES, v -> parsesTo(v, s -> Integer.parseInt(s) >= 14));
    RULES.put(SEGMENT_INDEX_BYTES, v -> parsesTo(v, s -> Integer.parseInt(s) >= 8));
    RULES.put(SEGMENT_MS, v -> parsesTo(v, s -> Long.parseLong(s) >= 1));
    RULES.put(UNCLEAN_LEADER_ELECTION_ENABLE, BOOLEAN);
    RULES.put(LEADER_REPLICATION_THROTTLED_REPLICAS, REPLICA_LIST);
    RULES.put(FOLLOWER_REPLICATION_THROTTLED_REPLICAS, REPLICA_LIST);
  }

  private final Map<String, String> defaults;

  private TopicConfigs(Map<String, String> defaults) {
    this.defaults = Map.copyOf(defaults);
  }

  /** Reads the broker-wide defaults from the {@code vltava.topic-defaults} section, validating each. */
  public static TopicConfigs fromConfig(Config topicDefaults) {
    Map<String, String> defaults = new LinkedHashMap<>();
    for (String name : RULES.keySet()) {
      defaults.put(name, topicDefaults.getString(name));
    }
    TopicConfigs configs = new TopicConfigs(defaults);
    configs.validate(defaults);
    return configs;
  }

  public static Set<String> names() {
    return RULES.keySet();
  }

  /** Throws InvalidConfigurationException naming the first unknown key or bad value. */
  public void validate(Map<String, String> overrides) {
    overrides.forEach((name, value) -> {
      Predicate<String> rule = RULES.get(name);
      if (rule == null) {
        throw new InvalidConfigurationException("Unknown topic config name: " + name);
      }
      if (value == null || !rule.test(value)) {
        throw new InvalidConfigurationException("Invalid value " + value + " for configuration " + name);
      }
    });
  }

  public String defaultValue(String name) {
    return defaults.get(name);
  }

  /** Every supported setting's effective value for a topic with these overrides. */
  public Map<String, String> effective(Map<String, String> overrides) {
    Map<String, String> effective = new LinkedHashMap<>(defaults);
    effective.putAll(overrides);
    return effective;
  }

  public LogConfig logConfig(Map<String, String> overrides) {
    Map<String, String> v = effective(overrides);
    return new LogConfig(
        Integer.parseInt(v.get(SEGMENT_BYTES)),
        Long.parseLong(v.get(SEGMENT_MS)),
        Long.parseLong(v.get(RETENTION_MS)),
        Long.parseLong(v.get(RETENTION_BYTES)),
        Integer.parseInt(v.get(MAX_MESSAGE_BYTES)),
        Integer.parseInt(v.get(INDEX_INTERVAL_BYTES)),
        Integer.parseInt(v.get(SEGMENT_INDEX_BYTES)),
        Long.parseLong(v.get(FLUSH_MESSAGES)),
        Long.parseLong(v.get(FLUSH_MS)),
        v.get(MESSAGE_TIMESTAMP_TYPE).equals("LogAppendTime")
            ? TimestampType.LOG_APPEND_TIME
            : TimestampType.CREATE_TIME);
  }

  public int minInsyncReplicas(Map<String, String> overrides) {
    return Integer.parseInt(effective(overrides).get(MIN_INSYNC_REPLICAS));
  }

  /** Whether a throttled-replicas value ("*" or "partition:broker,...") names broker {@code brokerId}'s replica of {@code partition}. */
  public static boolean listsReplica(String throttledReplicas, int partition, int brokerId) {
    if (throttledReplicas == null || throttledReplicas.isBlank()) {
      return false;
    }
    if (throttledReplicas.trim().equals("*")) {
      return true;
    }
    for (String entry : throttledReplicas.split(",")) {
      String[] parts = entry.split(":");
      if (parts.length == 2 && Integer.parseInt(parts[0].trim()) == partition && Integer.parseInt(parts[1].trim()) == brokerId) {
        return true;
      }
    }
    return false;
  }

  private static boolean parsesTo(String value, Predicate<String> check) {
    try {
      return check.test(value);
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
