package io.vltava.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.vltava.node.MembershipRefusedException;
import io.vltava.node.NodeSettings;
import io.vltava.node.VltavaNode;
import java.io.File;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.CoordinatedShutdown;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * `vltava broker`: runs one node until SIGTERM or Ctrl-C, then shuts it down in order and exits 0.
 * Exits 1 when the cluster removed the node (restart it: it rejoins), 2 on invalid configuration, 3
 * when its data directory belongs to another cluster.
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
    description = "Start a Vltava node. With no options: a one-node cluster on 127.0.0.1:9092, data in ./vltava-data.")
final class BrokerCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(BrokerCommand.class);
  /** The cluster removed this node (the Split Brain Resolver downed it); starting it again makes it rejoin. */
  static final int EXIT_REMOVED = 1;
  static final int EXIT_INVALID_CONFIG = 2;
  /** The data directory or the seeds belong to another cluster; starting again will not help. */
  static final int EXIT_REFUSED = 3;
  /** As the JVM's default for SIGTERM: a node stopped before it joined its cluster. */
  static final int EXIT_STOPPED_WHILE_STARTING = 143;
  private static final Duration STOPPING_WHILE_STARTING = Duration.ofSeconds(5);

  @Option(names = "--config", paramLabel = "FILE", description = "HOCON file layered over the defaults (see application.conf).")
  File configFile;

  @Option(names = "--node-id", paramLabel = "N", description = "Stable broker id (vltava.node-id).")
  Integer nodeId;

  @Option(names = "--host", paramLabel = "H", description = "Kafka listener interface (vltava.listener.host; unused when vltava.listeners is set).")
  String host;

  @Option(names = "--port", paramLabel = "P", description = "Kafka listener port (vltava.listener.port; unused when vltava.listeners is set).")
  Integer port;

  @Option(names = "--http-port", paramLabel = "P",
      description = "HTTP port for /metrics and /health (vltava.http.port; 0 = any free port, -1 = off).")
  Integer httpPort;

  @Option(names = "--advertised-host", paramLabel = "H", description = "Host given to clients (vltava.listener.advertised-host).")
  String advertisedHost;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Where logs and node state live (vltava.data-dir).")
  File dataDir;

  @Option(names = "--cluster-port", paramLabel = "C", description = "Pekko cluster (Artery TCP) port (vltava.cluster.port; 0 = any free port).")
  Integer clusterPort;

  @Option(names = "--cluster-host", paramLabel = "H", description = "Pekko cluster interface (vltava.cluster.host).")
  String clusterHost;

  @Option(names = "--seed", paramLabel = "HOST:PORT", description = "A node's cluster endpoint to join through; repeat for several (vltava.cluster.seeds).")
  java.util.List<String> seeds;

  @Option(names = "--cluster-size", paramLabel = "N",
      description = "Nodes the cluster has; majorities count against it (vltava.cluster.size; default 1 without seeds, else max(3, seeds)).")
  Integer clusterSize;

  @Option(names = "--roles", paramLabel = "ROLE", split = ",", description = "broker, controller, or both (vltava.cluster.roles).")
  java.util.List<String> roles;

  @Override
  public Integer call() throws Exception {
    Config config;
    try {
      config = NodeSettings.load(overrides().withFallback(userConfig()));
      NodeSettings.from(config);
    } catch (ConfigException | org.apache.kafka.common.errors.InvalidConfigurationException e) {
      System.err.println("Invalid configuration: " + e.getMessage());
      return EXIT_INVALID_CONFIG;
    }
    // Handling the signals ourselves (instead of a JVM shutdown hook) lets the orderly shutdown finish and the process exit 0.
    // Installed before the start, so a signal right after the ready line still stops in order; a node
    // that is still joining its cluster 5 s after the signal has nothing to drain and just exits.
    CompletableFuture<VltavaNode> started = new CompletableFuture<>();
    SignalHandler stop = signal -> started.copy().orTimeout(STOPPING_WHILE_STARTING.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((running, notYet) -> {
          if (running != null) {
            running.shutdown();
          } else {
            System.exit(EXIT_STOPPED_WHILE_STARTING);
          }
        });
    Signal.handle(new Signal("TERM"), stop);
    Signal.handle(new Signal("INT"), stop);
    VltavaNode node;
    try {
      node = VltavaNode.start(config);
    } catch (MembershipRefusedException e) {
      System.err.println("Refusing to join: " + e.getMessage());
      return EXIT_REFUSED;
    }
    started.complete(node);
    node.system().getWhenTerminated().toCompletableFuture().join();
    Optional<CoordinatedShutdown.Reason> reason = CoordinatedShutdown.get(node.system()).getShutdownReason();
    if (reason.isPresent() && !reason.get().equals(CoordinatedShutdown.unknownReason())) {
      // Downed by the others (partitioned or paused too long): exit non-zero so a supervisor starts it again and it rejoins.
      log.warn("Vltava node {} was stopped by the cluster ({}); exiting with {} to be restarted",
          node.settings().nodeId(), reason.get(), EXIT_REMOVED);
      return EXIT_REMOVED;
    }
    log.info("Vltava node {} stopped", node.settings().nodeId());
    return 0;
  }

  private Config userConfig() {
    if (configFile == null) {
      return ConfigFactory.empty();
    }
    if (!configFile.isFile()) {
      throw new ConfigException.IO(ConfigFactory.empty().origin(), "config file " + configFile + " does not exist");
    }
    return ConfigFactory.parseFile(configFile);
  }

  /** Command-line options win over the file. */
  private Config overrides() {
    Map<String, Object> values = new HashMap<>();
    if (nodeId != null) values.put("vltava.node-id", nodeId);
    if (host != null) values.put("vltava.listener.host", host);
    if (port != null) values.put("vltava.listener.port", port);
    if (httpPort != null) values.put("vltava.http.port", httpPort);
    if (advertisedHost != null) values.put("vltava.listener.advertised-host", advertisedHost);
    if (dataDir != null) values.put("vltava.data-dir", dataDir.getPath());
    if (clusterPort != null) values.put("vltava.cluster.port", clusterPort);
    if (clusterHost != null) values.put("vltava.cluster.host", clusterHost);
    if (seeds != null) values.put("vltava.cluster.seeds", seeds);
    if (roles != null) values.put("vltava.cluster.roles", roles);
    if (clusterSize != null) values.put("vltava.cluster.size", clusterSize);
    return ConfigFactory.parseMap(values, "command line");
  }
}
