package io.vltava.log;

import com.typesafe.config.Config;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.record.TimestampType;

/**
 * The topic-level settings Vltava honours, by Kafka's names ({@link TopicConfig}), each defined once
 * in a Kafka {@link ConfigDef} with its type, validator and documentation; the broker-wide defaults
 * a topic inherits come from reference.conf's {@code vltava.topic-defaults}. A topic stores only
 * its overrides, as strings; {@link #logConfig} resolves them over the defaults.
 */
public final class TopicConfigs {

  /** Replicas ("partition:broker,..." or "*") whose leader-side replication traffic is throttled, as Kafka's. */
  public static final String LEADER_REPLICATION_THROTTLED_REPLICAS = "leader.replication.throttled.replicas";
  /** Replicas ("partition:broker,..." or "*") whose follower-side fetches are throttled, as Kafka's. */
  public static final String FOLLOWER_REPLICATION_THROTTLED_REPLICAS = "follower.replication.throttled.replicas";

  private static final ConfigDef.Validator RATIO = (name, value) -> {
    double ratio = (Double) value;
    if (!(ratio >= 0 && ratio <= 1)) {
      throw new ConfigException(name, value, "Value must be between 0 and 1");
    }
  };
  private static final ConfigDef.Validator REPLICA_LIST = (name, value) -> {
    @SuppressWarnings("unchecked")
    List<String> entries = (List<String>) value;
    boolean all = entries.size() == 1 && entries.get(0).equals("*");
    if (!all && !entries.stream().allMatch(entry -> entry.matches("\\d+\\s*:\\s*\\d+"))) {
      throw new ConfigException(name, value, "Value must be * or a list of partition:broker pairs");
    }
  };

  /** Every supported setting, without defaults (those are the node's); the order is the order DescribeConfigs lists them. */
  private static final ConfigDef DEFINITION = new ConfigDef()
      .define(TopicConfig.CLEANUP_POLICY_CONFIG, ConfigDef.Type.LIST, ConfigDef.NO_DEFAULT_VALUE,
          ConfigDef.ValidList.in(false, CleanupConfig.COMPACT, CleanupConfig.DELETE), ConfigDef.Importance.MEDIUM,
          "delete (whole segments by retention.ms and retention.bytes), compact (the last record of each key), or compact,delete.")
      .define(TopicConfig.DELETE_RETENTION_MS_CONFIG, ConfigDef.Type.LONG, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Range.atLeast(0),
          ConfigDef.Importance.MEDIUM, "How long a compacted topic keeps a tombstone (a null value) after the cleaner first passes it.")
      .define(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, ConfigDef.Type.LONG, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Range.atLeast(0),
          ConfigDef.Importance.MEDIUM, "How long a segment's files stay after retention, compaction or truncation removed it, so reads already using it finish.")
      .define(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, ConfigDef.Type.LONG, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Range.atLeast(1),
          ConfigDef.Importance.MEDIUM, "Force an fsync of the log after this many messages.")
      .define(TopicConfig.FLUSH_MS_CONFIG, ConfigDef.Type.LONG, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Range.atLeast(0),
          ConfigDef.Importance.MEDIUM, "Force an fsync of the log when a message has been unflushed this many milliseconds.")
      .define(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, ConfigDef.Type.INT, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Range.atLeast(0),
          ConfigDef.Importance.MEDIUM, "Bytes of log between two entries of the sparse offset and time indexes.")
      .define(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, ConfigDef.Type.INT, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Range.atLeast(1),
          ConfigDef.Importance.MEDIUM, "The largest record batch size accepted, in bytes.")
      .define(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
          ConfigDef.ValidString.in("CreateTime", "LogAppendTime"), ConfigDef.Importance.MEDIUM,
          "CreateTime keeps the producer's timestamps; LogAppendTime stamps the broker's clock.")
      .define(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, ConfigDef.Type.LONG, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Range.atLeast(1),
          ConfigDef.Importance.MEDIUM, "A record becomes eligible for compaction at the latest this many milliseconds after it was written.")
      .define(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, ConfigDef.Type.DOUBLE, ConfigDef.NO_DEFAULT_VALUE, RATIO,
          ConfigDef.Importance.MEDIUM, "The share of a compacted log not yet cleaned above which the cleaner cleans it.")
      .define(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, ConfigDef.Type.LONG, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Range.atLeast(0),
          ConfigDef.Importance.MEDIUM, "A record stays uncompacted at least this many milliseconds after it was written.")
      .define(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, ConfigDef.Type.INT, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Range.atLeast(1),
          ConfigDef.Importance.HIGH, "Replicas that must be in sync for an acks=all produce to succeed.")
      .define(TopicConfig.RETENTION_BYTES_CONFIG, ConfigDef.Type.LONG, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Range.atLeast(-1),
          ConfigDef.Importance.MEDIUM, "Delete old segments once a partition is larger than this many bytes; -1 for no limit.")
      .define(TopicConfig.RETENTION_MS_CONFIG, ConfigDef.Type.LONG, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Range.atLeast(-1),
          ConfigDef.Importance.MEDIUM, "Delete segments whose newest record is older than this many milliseconds; -1 to keep forever.")
      .define(TopicConfig.SEGMENT_BYTES_CONFIG, ConfigDef.Type.INT, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Range.atLeast(14),
          ConfigDef.Importance.MEDIUM, "Roll to a new segment file at this size in bytes.")
      .define(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG, ConfigDef.Type.INT, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Range.atLeast(8),
          ConfigDef.Importance.MEDIUM, "The size in bytes of each segment's offset and time index files.")
      .define(TopicConfig.SEGMENT_MS_CONFIG, ConfigDef.Type.LONG, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Range.atLeast(1),
          ConfigDef.Importance.MEDIUM, "Roll to a new segment file at this age in milliseconds.")
      .define(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, ConfigDef.Type.BOOLEAN, ConfigDef.NO_DEFAULT_VALUE,
          ConfigDef.Importance.HIGH, "Allow an out-of-sync replica to become leader, losing data, when no in-sync replica is alive.")
      .define(LEADER_REPLICATION_THROTTLED_REPLICAS, ConfigDef.Type.LIST, ConfigDef.NO_DEFAULT_VALUE, REPLICA_LIST,
          ConfigDef.Importance.MEDIUM,
          "Replicas (partition:broker,... or *) whose leader sends to out-of-sync followers within its leader.replication.throttled.rate.")
      .define(FOLLOWER_REPLICATION_THROTTLED_REPLICAS, ConfigDef.Type.LIST, ConfigDef.NO_DEFAULT_VALUE, REPLICA_LIST,
          ConfigDef.Importance.MEDIUM,
          "Replicas (partition:broker,... or *) that fetch, while out of sync, within their broker's follower.replication.throttled.rate.");

  private final Map<String, String> defaults;
  private final Set<String> operatorSet;

  private TopicConfigs(Map<String, String> defaults, Set<String> operatorSet) {
    this.defaults = Map.copyOf(defaults);
    this.operatorSet = Set.copyOf(operatorSet);
  }

  /** Reads the broker-wide defaults from the {@code vltava.topic-defaults} section, validating each. */
  public static TopicConfigs fromConfig(Config topicDefaults) {
    Map<String, String> defaults = new LinkedHashMap<>();
    Set<String> operatorSet = new HashSet<>();
    for (String name : names()) {
      defaults.put(name, topicDefaults.getString(name));
      if (!"reference.conf".equals(topicDefaults.getValue(name).origin().resource())) {
        operatorSet.add(name);
      }
    }
    TopicConfigs configs = new TopicConfigs(defaults, operatorSet);
    configs.validate(defaults);
    return configs;
  }

  /** Every supported name, in definition order. */
  public static Set<String> names() {
    return java.util.Collections.unmodifiableSet(DEFINITION.configKeys().keySet());
  }

  /** The value type of a supported setting. */
  public static ConfigDef.Type type(String name) {
    return DEFINITION.configKeys().get(name).type;
  }

  /** What a supported setting does, in one sentence. */
  public static String documentation(String name) {
    return DEFINITION.configKeys().get(name).documentation;
  }

  /**
   * Throws InvalidConfigurationException naming the first unknown key or bad value, or, as Kafka,
   * a min.compaction.lag.ms above the max.compaction.lag.ms that applies.
   */
  public void validate(Map<String, String> overrides) {
    overrides.forEach((name, value) -> {
      ConfigDef.ConfigKey key = DEFINITION.configKeys().get(name);
      if (key == null) {
        throw new InvalidConfigurationException("Unknown topic config name: " + name);
      }
      if (value == null) {
        throw new InvalidConfigurationException("Invalid value null for configuration " + name);
      }
      try {
        Object parsed = ConfigDef.parseType(name, value, key.type);
        if (key.validator != null) {
          key.validator.ensureValid(name, parsed);
        }
      } catch (ConfigException e) {
        throw new InvalidConfigurationException(e.getMessage());
      }
    });
    Map<String, Object> v = typed(effective(overrides));
    long minLagMs = (Long) v.get(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG);
    long maxLagMs = (Long) v.get(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG);
    if (minLagMs > maxLagMs) {
      throw new InvalidConfigurationException("conflict topic config setting " + TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG + " ("
          + minLagMs + ") > " + TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG + " (" + maxLagMs + ")");
    }
  }

  /**
   * Every value parsed to its type (Integer, Long, Double, Boolean, String, List). Not validated
   * again: a topic's stored overrides were valid when it was created or altered.
   */
  private static Map<String, Object> typed(Map<String, String> values) {
    Map<String, Object> typed = new LinkedHashMap<>();
    values.forEach((name, value) -> typed.put(name, ConfigDef.parseType(name, value, type(name))));
    return typed;
  }

  public String defaultValue(String name) {
    return defaults.get(name);
  }

  /**
   * Whether the node's configuration sets this default (application.conf, system properties), as
   * opposed to Vltava's built-in value from reference.conf; Kafka reports the former as a static
   * broker config.
   */
  public boolean setByOperator(String name) {
    return operatorSet.contains(name);
  }

  /** Every supported setting's effective value for a topic with these overrides, in definition order. */
  public Map<String, String> effective(Map<String, String> overrides) {
    Map<String, String> effective = new LinkedHashMap<>();
    for (String name : names()) {
      effective.put(name, overrides.getOrDefault(name, defaults.get(name)));
    }
    return effective;
  }

  public LogConfig logConfig(Map<String, String> overrides) {
    Map<String, Object> v = typed(effective(overrides));
    @SuppressWarnings("unchecked")
    List<String> cleanupPolicy = (List<String>) v.get(TopicConfig.CLEANUP_POLICY_CONFIG);
    return new LogConfig(
        (Integer) v.get(TopicConfig.SEGMENT_BYTES_CONFIG),
        (Long) v.get(TopicConfig.SEGMENT_MS_CONFIG),
        (Long) v.get(TopicConfig.RETENTION_MS_CONFIG),
        (Long) v.get(TopicConfig.RETENTION_BYTES_CONFIG),
        (Integer) v.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG),
        (Integer) v.get(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG),
        (Integer) v.get(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG),
        (Long) v.get(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG),
        (Long) v.get(TopicConfig.FLUSH_MS_CONFIG),
        v.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG).equals("LogAppendTime")
            ? TimestampType.LOG_APPEND_TIME
            : TimestampType.CREATE_TIME,
        new CleanupConfig(false, false,
            (Long) v.get(TopicConfig.DELETE_RETENTION_MS_CONFIG),
            (Double) v.get(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG),
            (Long) v.get(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG),
            (Long) v.get(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG))
            .withPolicy(String.join(",", cleanupPolicy)),
        (Long) v.get(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG));
  }

  public int minInsyncReplicas(Map<String, String> overrides) {
    return (Integer) ConfigDef.parseType(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
        effective(overrides).get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG), ConfigDef.Type.INT);
  }

  /** Whether a replica whose logs are behind may be elected leader of a topic with these overrides. */
  public boolean uncleanLeaderElection(Map<String, String> overrides) {
    return (Boolean) ConfigDef.parseType(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG,
        effective(overrides).get(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG), ConfigDef.Type.BOOLEAN);
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
}
