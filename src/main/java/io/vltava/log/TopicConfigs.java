package io.vltava.log;

import com.typesafe.config.Config;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.record.TimestampType;

/**
 * The topic-level settings Vltava honours, by Kafka's names, with the broker-wide defaults a topic
 * inherits. A topic stores only its overrides; {@link #logConfig} resolves them over the defaults.
 */
public final class TopicConfigs {

  public static final String CLEANUP_POLICY = "cleanup.policy";
  public static final String DELETE_RETENTION_MS = "delete.retention.ms";
  public static final String MIN_CLEANABLE_DIRTY_RATIO = "min.cleanable.dirty.ratio";
  public static final String MIN_COMPACTION_LAG_MS = "min.compaction.lag.ms";
  public static final String MAX_COMPACTION_LAG_MS = "max.compaction.lag.ms";
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

  private static final Predicate<String> POSITIVE_INT = intAtLeast(1);
  private static final Predicate<String> NON_NEGATIVE_LONG = longAtLeast(0);
  private static final Predicate<String> LONG_OR_UNLIMITED = longAtLeast(-1);
  private static final Predicate<String> RATIO = v -> parsesTo(v, s -> Double.parseDouble(s) >= 0 && Double.parseDouble(s) <= 1);
  private static final Predicate<String> CLEANUP_POLICIES = v -> !v.isBlank()
      && Arrays.stream(v.split(",")).map(String::trim).allMatch(p -> p.equals(CleanupConfig.COMPACT) || p.equals(CleanupConfig.DELETE));
  private static final Predicate<String> BOOLEAN = v -> v.equals("true") || v.equals("false");
  private static final Predicate<String> REPLICA_LIST = v -> v.matches("\\s*(\\*|(\\d+\\s*:\\s*\\d+\\s*)(,\\s*\\d+\\s*:\\s*\\d+\\s*)*)?\\s*");

  /** What a supported setting accepts, and how DescribeConfigs presents it. */
  private record Definition(Predicate<String> rule, ConfigDef.Type type, String documentation) {}

  /** Every supported name with its definition; the order is the order DescribeConfigs lists them. */
  private static final Map<String, Definition> DEFINITIONS = new LinkedHashMap<>();

  static {
    define(CLEANUP_POLICY, CLEANUP_POLICIES, ConfigDef.Type.LIST,
        "delete (whole segments by retention.ms and retention.bytes), compact (the last record of each key), or compact,delete.");
    define(DELETE_RETENTION_MS, NON_NEGATIVE_LONG, ConfigDef.Type.LONG,
        "How long a compacted topic keeps a tombstone (a null value) after the cleaner first passes it.");
    define(FLUSH_MESSAGES, longAtLeast(1), ConfigDef.Type.LONG,
        "Force an fsync of the log after this many messages.");
    define(FLUSH_MS, NON_NEGATIVE_LONG, ConfigDef.Type.LONG,
        "Force an fsync of the log when a message has been unflushed this many milliseconds.");
    define(INDEX_INTERVAL_BYTES, intAtLeast(0), ConfigDef.Type.INT,
        "Bytes of log between two entries of the sparse offset and time indexes.");
    define(MAX_MESSAGE_BYTES, POSITIVE_INT, ConfigDef.Type.INT,
        "The largest record batch size accepted, in bytes.");
    define(MESSAGE_TIMESTAMP_TYPE, v -> v.equals("CreateTime") || v.equals("LogAppendTime"), ConfigDef.Type.STRING,
        "CreateTime keeps the producer's timestamps; LogAppendTime stamps the broker's clock.");
    define(MAX_COMPACTION_LAG_MS, longAtLeast(1), ConfigDef.Type.LONG,
        "A record becomes eligible for compaction at the latest this many milliseconds after it was written.");
    define(MIN_CLEANABLE_DIRTY_RATIO, RATIO, ConfigDef.Type.DOUBLE,
        "The share of a compacted log not yet cleaned above which the cleaner cleans it.");
    define(MIN_COMPACTION_LAG_MS, NON_NEGATIVE_LONG, ConfigDef.Type.LONG,
        "A record stays uncompacted at least this many milliseconds after it was written.");
    define(MIN_INSYNC_REPLICAS, POSITIVE_INT, ConfigDef.Type.INT,
        "Replicas that must be in sync for an acks=all produce to succeed.");
    define(RETENTION_BYTES, LONG_OR_UNLIMITED, ConfigDef.Type.LONG,
        "Delete old segments once a partition is larger than this many bytes; -1 for no limit.");
    define(RETENTION_MS, LONG_OR_UNLIMITED, ConfigDef.Type.LONG,
        "Delete segments whose newest record is older than this many milliseconds; -1 to keep forever.");
    define(SEGMENT_BYTES, intAtLeast(14), ConfigDef.Type.INT,
        "Roll to a new segment file at this size in bytes.");
    define(SEGMENT_INDEX_BYTES, intAtLeast(8), ConfigDef.Type.INT,
        "The size in bytes of each segment's offset and time index files.");
    define(SEGMENT_MS, longAtLeast(1), ConfigDef.Type.LONG,
        "Roll to a new segment file at this age in milliseconds.");
    define(UNCLEAN_LEADER_ELECTION_ENABLE, BOOLEAN, ConfigDef.Type.BOOLEAN,
        "Allow an out-of-sync replica to become leader, losing data, when no in-sync replica is alive.");
    define(LEADER_REPLICATION_THROTTLED_REPLICAS, REPLICA_LIST, ConfigDef.Type.LIST,
        "Replicas (partition:broker,... or *) whose leader sends to out-of-sync followers within its leader.replication.throttled.rate.");
    define(FOLLOWER_REPLICATION_THROTTLED_REPLICAS, REPLICA_LIST, ConfigDef.Type.LIST,
        "Replicas (partition:broker,... or *) that fetch, while out of sync, within their broker's follower.replication.throttled.rate.");
  }

  private static void define(String name, Predicate<String> rule, ConfigDef.Type type, String documentation) {
    DEFINITIONS.put(name, new Definition(rule, type, documentation));
  }

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
    for (String name : DEFINITIONS.keySet()) {
      defaults.put(name, topicDefaults.getString(name));
      if (!"reference.conf".equals(topicDefaults.getValue(name).origin().resource())) {
        operatorSet.add(name);
      }
    }
    TopicConfigs configs = new TopicConfigs(defaults, operatorSet);
    configs.validate(defaults);
    return configs;
  }

  public static Set<String> names() {
    return DEFINITIONS.keySet();
  }

  /** The value type of a supported setting, as Kafka's ConfigDef names it. */
  public static ConfigDef.Type type(String name) {
    return DEFINITIONS.get(name).type();
  }

  /** What a supported setting does, in one sentence. */
  public static String documentation(String name) {
    return DEFINITIONS.get(name).documentation();
  }

  /**
   * Throws InvalidConfigurationException naming the first unknown key or bad value, or, as Kafka,
   * a min.compaction.lag.ms above the max.compaction.lag.ms that applies.
   */
  public void validate(Map<String, String> overrides) {
    overrides.forEach((name, value) -> {
      Definition definition = DEFINITIONS.get(name);
      if (definition == null) {
        throw new InvalidConfigurationException("Unknown topic config name: " + name);
      }
      if (value == null || !definition.rule().test(value)) {
        throw new InvalidConfigurationException("Invalid value " + value + " for configuration " + name);
      }
    });
    Map<String, String> v = effective(overrides);
    if (Long.parseLong(v.get(MIN_COMPACTION_LAG_MS)) > Long.parseLong(v.get(MAX_COMPACTION_LAG_MS))) {
      throw new InvalidConfigurationException("conflict topic config setting " + MIN_COMPACTION_LAG_MS + " ("
          + v.get(MIN_COMPACTION_LAG_MS) + ") > " + MAX_COMPACTION_LAG_MS + " (" + v.get(MAX_COMPACTION_LAG_MS) + ")");
    }
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
            : TimestampType.CREATE_TIME,
        new CleanupConfig(false, false,
            Long.parseLong(v.get(DELETE_RETENTION_MS)),
            Double.parseDouble(v.get(MIN_CLEANABLE_DIRTY_RATIO)),
            Long.parseLong(v.get(MIN_COMPACTION_LAG_MS)),
            Long.parseLong(v.get(MAX_COMPACTION_LAG_MS)))
            .withPolicy(v.get(CLEANUP_POLICY)));
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

  private static Predicate<String> intAtLeast(int min) {
    return v -> parsesTo(v, s -> Integer.parseInt(s) >= min);
  }

  private static Predicate<String> longAtLeast(long min) {
    return v -> parsesTo(v, s -> Long.parseLong(s) >= min);
  }

  private static boolean parsesTo(String value, Predicate<String> check) {
    try {
      return check.test(value);
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
