package io.vltava.testkit;

import com.typesafe.config.ConfigFactory;
import io.vltava.metadata.ClusterState;
import io.vltava.metadata.PartitionState;
import io.vltava.metadata.TopicState;
import io.vltava.node.NodeSettings;
import io.vltava.node.VltavaNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * N Vltava nodes in one JVM, each its own ActorSystem with its own data directory, Kafka port and
 * cluster port on loopback, all seeded from the same list. Nodes can be stopped in order, crashed
 * (no cluster leave, cut off) and restarted with the same id, ports and data: the same broker.
 * Numbered from 1, like node ids.
 */
public final class VltavaCluster implements AutoCloseable {
  private static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);
  /** Test ports are picked at random from here up to the ephemeral range. */
  private static final int LOWEST_TEST_PORT = 10_000;
  private static final int PORT_PICK_ATTEMPTS = 200;

  private final Path baseDir;
  private final Map<String, Object> settings;
  private final int[] kafkaPorts;
  private final int[] clusterPorts;
  private final VltavaNode[] nodes;

  private VltavaCluster(Path baseDir, Map<String, Object> settings, int size) throws IOException {
    this.baseDir = baseDir;
    this.settings = Map.copyOf(settings);
    this.kafkaPorts = freePorts(size);
    this.clusterPorts = freePorts(size);
    this.nodes = new VltavaNode[size];
  }

  /**
   * Starts {@code size} nodes under {@code baseDir} with these {@code vltava.*}/{@code pekko.*}
   * settings over the test defaults (fast failure detection, initial rebalance delay 0).
   */
  public static VltavaCluster start(int size, Path baseDir, Map<String, Object> settings) throws Exception {
    VltavaCluster cluster = new VltavaCluster(baseDir, settings, size);
    try {
      for (int id = 1; id <= size; id++) {
        cluster.restart(id);
      }
      cluster.awaitMetadata(state -> state.brokers().size() == size, DEFAULT_WAIT);
      return cluster;
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
  }

  public static VltavaCluster start(int size, Path baseDir) throws Exception {
    return start(size, baseDir, Map.of());
  }

  /**
   * Prepares {@code size} nodes as {@link #start(int, Path, Map)} does but starts none: the test
   * starts each with {@link #restart(int, Map)}, to grow a cluster or start nodes with other settings.
   */
  public static VltavaCluster create(int size, Path baseDir, Map<String, Object> settings) throws IOException {
    return new VltavaCluster(baseDir, settings, size);
  }

  public int size() {
    return nodes.length;
  }

  /** The running node with this id; fails if it is down. */
  public VltavaNode node(int id) {
    VltavaNode node = nodes[id - 1];
    if (node == null) {
      throw new IllegalStateException("node " + id + " is not running");
    }
    return node;
  }

  public boolean isRunning(int id) {
    return nodes[id - 1] != null;
  }

  /** Every node's Kafka endpoint, running or not: what a client would configure. */
  public String bootstrapServers() {
    StringJoiner servers = new StringJoiner(",");
    for (int port : kafkaPorts) {
      servers.add("127.0.0.1:" + port);
    }
    return servers.toString();
  }

  public Path dataDir(int id) {
    return baseDir.resolve("node-" + id);
  }

  /** Starts (or starts again) node {@code id} with its id, ports and data directory. */
  public VltavaNode restart(int id) throws Exception {
    return restart(id, Map.of());
  }

  /** As {@link #restart(int)}, with {@code overrides} over the cluster's settings for this start only. */
  public VltavaNode restart(int id, Map<String, Object> overrides) throws Exception {
    if (nodes[id - 1] != null) {
      throw new IllegalStateException("node " + id + " is running");
    }
    Map<String, Object> values = nodeSettings(id);
    values.putAll(overrides);
    nodes[id - 1] = VltavaNode.start(NodeSettings.load(ConfigFactory.parseMap(values)));
    return nodes[id - 1];
  }

  /** An orderly stop: the node leaves the cluster and closes its logs cleanly. */
  public void stop(int id) throws Exception {
    node(id).shutdown().toCompletableFuture().get(60, TimeUnit.SECONDS);
    nodes[id - 1] = null;
  }

  /** An abrupt stop: the node vanishes without leaving, and the others must detect and down it. */
  public void crash(int id) throws Exception {
    node(id).crash().toCompletableFuture().get(60, TimeUnit.SECONDS);
    nodes[id - 1] = null;
  }

  /** Crashes every running node at once: the quick end of a cluster whose data is thrown away. */
  public void crashAll() throws Exception {
    List<CompletableFuture<?>> down = new ArrayList<>();
    for (int id = 1; id <= nodes.length; id++) {
      if (nodes[id - 1] != null) {
        down.add(nodes[id - 1].crash().toCompletableFuture());
        nodes[id - 1] = null;
      }
    }
    CompletableFuture.allOf(down.toArray(CompletableFuture[]::new))
        .get(60, TimeUnit.SECONDS);
  }

  /** The id of the node the controller runs on, as the running nodes see it. */
  public int controllerId() {
    return anyRunning().metadata().controllerId();
  }

  /** The metadata as one running node sees it now. */
  public ClusterState metadata() {
    return anyRunning().metadata().current();
  }

  /** Waits until every running node's metadata satisfies {@code condition}; returns one node's view. */
  public ClusterState awaitMetadata(Predicate<ClusterState> condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<ClusterState> views = new ArrayList<>();
      for (VltavaNode node : nodes) {
        if (node != null) {
          views.add(node.metadata().current());
        }
      }
      if (!views.isEmpty() && views.stream().allMatch(condition)) {
        return views.get(0);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("metadata did not reach the expected state within " + timeout + "; a node sees " + views.get(0));
      }
      Thread.sleep(50); // polling the nodes' own views; there is no event to wait on across nodes
    }
  }

  /** Waits until every partition of {@code topic} has a leader and all its replicas in sync. */
  public ClusterState awaitFullIsr(String topic) throws InterruptedException {
    return awaitMetadata(state -> state.topic(topic).map(VltavaCluster::fullyInSync).orElse(false), DEFAULT_WAIT);
  }

  private static boolean fullyInSync(TopicState topic) {
    for (PartitionState p : topic.partitions()) {
      if (!p.hasLeader() || p.isr().size() != p.replicas().size()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() throws Exception {
    for (int id = nodes.length; id >= 1; id--) {
      if (nodes[id - 1] != null) {
        stop(id);
      }
    }
  }

  private VltavaNode anyRunning() {
    for (VltavaNode node : nodes) {
      if (node != null) {
        return node;
      }
    }
    throw new IllegalStateException("no node is running");
  }

  private Map<String, Object> nodeSettings(int id) {
    List<String> seeds = new ArrayList<>();
    for (int port : clusterPorts) {
      seeds.add("127.0.0.1:" + port);
    }
    Map<String, Object> values = new HashMap<>();
    values.put("vltava.node-id", id);
    values.put("vltava.data-dir", dataDir(id).toString());
    values.put("vltava.listener.port", kafkaPorts[id - 1]);
    values.put("vltava.cluster.port", clusterPorts[id - 1]);
    // Every node in one JVM: each HTTP endpoint takes a free port (see VltavaNode#httpAddress).
    values.put("vltava.http.port", 0);
    values.put("vltava.cluster.seeds", seeds);
    values.put("vltava.cluster.size", nodes.length);
    // A crashed in-JVM node is noticed in ~2 s and downed 2 s later, so tests do not wait long.
    values.put("pekko.cluster.failure-detector.acceptable-heartbeat-pause", "2s");
    values.put("pekko.cluster.split-brain-resolver.stable-after", "2s");
    // A test's consumer group starts at once rather than waiting 3 s for more members.
    values.put("vltava.groups.group.initial.rebalance.delay.ms", 0);
    values.putAll(settings);
    return values;
  }

  /**
   * {@code count} distinct loopback ports free at this moment, for nodes a test starts itself. They
   * are below the kernel's ephemeral range where it has one: the kernel hands ephemeral ports to
   * every socket that connects or binds port 0, so one that a crashed node freed could be taken by
   * any client before the node restarts and binds it again.
   */
  public static int[] freePorts(int count) throws IOException {
    int[] ports = new int[count];
    List<ServerSocket> held = new ArrayList<>();
    try {
      int ephemeralLow = ephemeralRangeLow();
      for (int i = 0; i < count; i++) {
        ServerSocket socket = bindBelow(ephemeralLow);
        held.add(socket);
        ports[i] = socket.getLocalPort();
      }
    } finally {
      for (ServerSocket socket : held) {
        socket.close();
      }
    }
    return ports;
  }

  /** A socket on a free loopback port in [{@link #LOWEST_TEST_PORT}, ceiling), or on any free port if none is found there. */
  private static ServerSocket bindBelow(int ceiling) throws IOException {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    for (int attempt = 0; ceiling - LOWEST_TEST_PORT >= 1_000 && attempt < PORT_PICK_ATTEMPTS; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOWEST_TEST_PORT, ceiling);
      try {
        return new ServerSocket(port, 1, loopback);
      } catch (IOException taken) {
        // try another
      }
    }
    return new ServerSocket(0, 1, loopback);
  }

  /** The lowest ephemeral port on Linux; elsewhere (or unreadable) 0, which leaves the choice to the kernel. */
  private static int ephemeralRangeLow() {
    try {
      // readAllLines: readString returned only the first byte of this /proc file (it reports size 0).
      String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
      return Integer.parseInt(range.split("\\s+")[0]);
    } catch (IOException | RuntimeException unknown) {
      return 0;
    }
  }
}
