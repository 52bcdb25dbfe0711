package io.vltava.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import io.vltava.http.console.ConsoleSettings;
import io.vltava.kafka.FetchSessionSettings;
import io.vltava.kafka.ListenerSettings;
import io.vltava.kafka.RequestSettings;
import io.vltava.replica.ReplicationSettings;
import io.vltava.util.SettingsReader;
import io.vltava.kafka.Listeners;
import io.vltava.security.SaslSettings;
import io.vltava.security.SslSettings;
import io.vltava.kafka.NamedListener;
import io.vltava.security.InterBrokerSasl;
import io.vltava.security.ListenerOverrides;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import io.vltava.log.TopicConfigs;
import io.vltava.security.AuthorizationSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The typed reading of a node's {@code vltava} configuration, and the checks that refuse to start
 * on a setting that is unknown or of the wrong type, naming it.
 */
public record NodeSettings(
    int nodeId,
    Path dataDir,
    ListenerSettings listener,
    int numPartitions,
    boolean autoCreateTopics,
    int defaultReplicationFactor,
    Duration retentionCheckInterval,
    ReplicationSettings replication,
    TopicConfigs topicConfigs,
    ClusterSettings cluster,
    FetchSessionSettings fetchSessions,
    RequestSettings requests,
    Duration startupTimeout,
    Duration shutdownDrainTimeout,
    int httpPort,
    Duration consumerLagTimeout,
    Duration shutdownHandoverTimeout,
    ConsoleSettings console,
    Listeners listeners,
    Map<String, SslSettings> listenerSsl,
    SaslSettings sasl,
    AuthorizationSettings authorization,
    Optional<InterBrokerSasl> interBrokerSasl) {

  /** {@link #httpPort} value that turns the HTTP endpoint off. */
  public static final int HTTP_DISABLED = -1;

  /**
   * How the node joins the Pekko cluster. {@code seeds} are host:port of other nodes' cluster ports;
   * none = a cluster of its own, unless {@code discovery} finds others. {@code configuredSize} 0 means
   * derived (see {@link #size}).
   */
  public record ClusterSettings(String host, int port, java.util.List<String> seeds, java.util.List<String> roles,
      Duration consistencyTimeout, int configuredSize, DiscoverySettings discovery) {
    public boolean hasRole(String role) {
      return roles.contains(role);
    }

    /**
     * The nodes the cluster is meant to have: configured, else 1 without seeds or discovery, else
     * max(3, seeds) as Kafka's internal topics assume 3.
     */
    public int size() {
      if (configuredSize > 0) {
        return configuredSize;
      }
      return seeds.isEmpty() && !discovers() ? 1 : Math.max(3, new java.util.HashSet<>(seeds).size());
    }

    /** Whether the node also looks for the others through the Kubernetes API. */
    public boolean discovers() {
      return discovery.kubernetesApi().isPresent();
    }

    /** More than half of {@link #size}: the nodes a side needs to keep serving, or to re-form the cluster. */
    public int quorum() {
      return size() / 2 + 1;
    }

    /**
     * The first seed forms a brand-new cluster; with no seeds every node is a cluster of its own,
     * unless it discovers the others (then {@link FormationRules#firstDiscovered} names the one).
     */
    public boolean isFirstSeed() {
      return seeds.isEmpty() ? !discovers() : seeds.get(0).equals(host + ":" + port);
    }
  }

  /** The TLS settings of listener {@code name}: vltava.ssl with its listener.name.<name>.ssl overrides. */
  public SslSettings ssl(String listenerName) {
    SslSettings ssl = listenerSsl.get(listenerName);
    if (ssl == null) {
      throw new IllegalArgumentException("no listener " + listenerName);
    }
    return ssl;
  }

  /** Reads and checks {@code config} (the user's settings already layered over reference.conf). */
  public static NodeSettings from(Config config) {
    Config vltava = config.getConfig("vltava");
    Config topics = vltava.getConfig("topics");
    Listeners listeners = Listeners.fromConfig(vltava);
    List<String> listenerNames = listeners.all().stream().map(NamedListener::name).toList();
    ListenerOverrides.checkListenerNames(vltava, listenerNames);
    Map<String, SslSettings> listenerSsl = new LinkedHashMap<>();
    listenerNames.forEach(name -> listenerSsl.put(name, SslSettings.forListener(vltava, name)));
    SaslSettings sasl = SaslSettings.fromConfig(vltava.getConfig("sasl"));
    NamedListener interBroker = listeners.interBroker();
    Optional<InterBrokerSasl> interBrokerSasl = interBroker.usesSasl()
        ? Optional.of(InterBrokerSasl.fromConfig(vltava, interBroker.name(), sasl.enabledMechanisms()))
        : Optional.empty();
    return new NodeSettings(
        vltava.getInt("node-id"),
        Path.of(vltava.getString("data-dir")),
        ListenerSettings.fromConfig(vltava.getConfig("listener")),
        topics.getInt("num.partitions"),
        topics.getBoolean("auto.create.topics.enable"),
        topics.getInt("default.replication.factor"),
        Duration.ofMillis(topics.getLong("log.retention.check.interval.ms")),
        ReplicationSettings.from(config),
        TopicConfigs.fromConfig(vltava.getConfig("topic-defaults")),
        new ClusterSettings(
            vltava.getString("cluster.host"),
            vltava.getInt("cluster.port"),
            vltava.getStringList("cluster.seeds"),
            vltava.getStringList("cluster.roles"),
            vltava.getDuration("cluster.consistency-timeout"),
            vltava.getInt("cluster.size"),
            DiscoverySettings.fromConfig(vltava.getConfig("cluster.discovery"), System.getenv())),
        FetchSessionSettings.fromConfig(vltava.getConfig("fetch-sessions")),
        RequestSettings.from(config),
        new SettingsReader(config, "vltava").positiveDuration("startup-timeout"),
        new SettingsReader(config, "vltava.listener").positiveDuration("shutdown-drain-timeout"),
        httpPort(vltava.getInt("http.port")),
        new SettingsReader(config, "vltava.http").positiveDuration("consumer-lag-timeout"),
        new SettingsReader(config, "vltava").positiveDuration("shutdown-handover-timeout"),
        ConsoleSettings.from(config),
        listeners,
        Map.copyOf(listenerSsl),
        sasl,
        AuthorizationSettings.fromConfig(vltava.getConfig("authorization")),
        interBrokerSasl);
  }

  private static int httpPort(int port) {
    if (port < HTTP_DISABLED || port > 65535) {
      throw new ConfigException.BadValue("vltava.http.port", "must be a TCP port, 0 for any free port, or -1 to disable; was " + port);
    }
    return port;
  }

  /**
   * Layers {@code user} over reference.conf and rejects any {@code vltava} key that reference.conf
   * does not have, or whose type differs, so a typo stops start-up instead of being ignored.
   */
  public static Config load(Config user) {
    Config reference = ConfigFactory.defaultReference();
    if (user.hasPath("vltava")) {
      for (Map.Entry<String, ConfigValue> entry : user.getConfig("vltava").entrySet()) {
        String path = "vltava." + entry.getKey();
        if (!reference.hasPathOrNull(referencePath(reference, path))) {
          throw new ConfigException.BadPath(path, "unknown setting (not in reference.conf); check its spelling");
        }
      }
    }
    Config merged = ConfigFactory.defaultOverrides()
        .withFallback(user)
        .withFallback(ConfigFactory.parseResources(NodeSettings.class.getClassLoader(), "vltava-node.conf"))
        .withFallback(reference)
        .resolve();
    merged.checkValid(reference, "vltava");
    if (user.hasPath("vltava")) {
      // Read each user setting as the type reference.conf gives it, so a bad value is reported by its full path.
      for (String key : user.getConfig("vltava").entrySet().stream().map(Map.Entry::getKey).toList()) {
        String path = "vltava." + key;
        switch (reference.getValue(referencePath(reference, path)).valueType()) {
          case NUMBER -> merged.getNumber(path);
          case BOOLEAN -> merged.getBoolean(path);
          case STRING -> merged.getString(path);
          default -> merged.getValue(path);
        }
      }
    }
    return merged;
  }

  /** The reference.conf setting that {@code path} is checked against: itself, or what a per-listener setting overrides. */
  private static String referencePath(Config reference, String path) {
    return reference.hasPathOrNull(path) ? path : ListenerOverrides.referencePath(path).orElse(path);
  }
}
