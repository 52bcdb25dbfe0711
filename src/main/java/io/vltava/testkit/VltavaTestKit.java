package io.vltava.testkit;

import com.typesafe.config.ConfigFactory;
import io.vltava.metadata.ClusterState;
import io.vltava.metadata.PartitionState;
import io.vltava.node.VltavaNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A Vltava cluster for users' tests: N nodes in this JVM on loopback, with data in a temporary
 * directory the kit owns and deletes on {@link #close}. It creates topics, crashes, stops and
 * restarts nodes, waits for leaders and in-sync replicas, and offers an ActorSystem to run the
 * streams under test on: {@link #clientSystem()} (not a cluster member; for the remote transport)
 * or a node's own {@link VltavaNode#system()} (a member; for the in-cluster transport).
 * Not thread-safe: drive it from the test's thread.
 */
public final class VltavaTestKit implements AutoCloseable {
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(60);

  private final Path dataDir;
  private final VltavaCluster cluster;
  private final Admin admin;
  private ActorSystem<Void> clientSystem;

  private VltavaTestKit(Path dataDir, VltavaCluster cluster) {
    this.dataDir = dataDir;
    this.cluster = cluster;
    // Requests to a crashed node fail after 5 s (not 30), so the admin soon retries on another node.
    this.admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000));
  }

  /** Starts {@code nodes} nodes and returns once all are registered with the controller. */
  public static VltavaTestKit start(int nodes) throws Exception {
    return start(nodes, Map.of());
  }

  /** As {@link #start(int)}, with these {@code vltava.*} / {@code pekko.*} settings on every node. */
  public static VltavaTestKit start(int nodes, Map<String, Object> settings) throws Exception {
    Path dataDir = Files.createTempDirectory("vltava-testkit-");
    try {
      return new VltavaTestKit(dataDir, VltavaCluster.start(nodes, dataDir, settings));
    } catch (Exception e) {
      deleteRecursively(dataDir);
      throw e;
    }
  }

  /** The cluster underneath, for what this kit does not wrap. */
  public VltavaCluster cluster() {
    return cluster;
  }

  /** Every node's Kafka endpoint, running or not. */
  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /** The running node with this id (numbered from 1). */
  public VltavaNode node(int id) {
    return cluster.node(id);
  }

  /** An Admin client on {@link #bootstrapServers()}, owned by the kit. */
  public Admin admin() {
    return admin;
  }

  /** Creates a topic and waits until every partition has a leader and a full ISR on every node. */
  public void createTopic(String topic, int partitions, int replicationFactor, Map<String, String> configs) throws Exception {
    NewTopic request = new NewTopic(topic, partitions, (short) replicationFactor).configs(configs);
    admin.createTopics(List.of(request)).all().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    awaitFullIsr(topic);
  }

  public void createTopic(String topic, int partitions, int replicationFactor) throws Exception {
    createTopic(topic, partitions, replicationFactor, Map.of());
  }

  /** Waits until every partition of {@code topic} has a leader and all its replicas in sync. */
  public ClusterState awaitFullIsr(String topic) throws InterruptedException {
    return cluster.awaitFullIsr(topic);
  }

  /** Waits until every partition of every topic has a leader and all its replicas in sync. */
  public ClusterState awaitAllInSync() throws InterruptedException {
    return cluster.awaitMetadata(state -> state.topics().values().stream()
        .flatMap(topic -> topic.partitions().stream())
        .allMatch(p -> p.hasLeader() && p.isr().size() == p.replicas().size()), ADMIN_TIMEOUT);
  }

  /** The node id leading {@code partition} as the running nodes see it, or {@link PartitionState#NO_LEADER}. */
  public int leaderOf(TopicPartition partition) {
    return cluster.metadata().topic(partition.topic())
        .map(topic -> topic.partitions().get(partition.partition()).leader())
        .orElse(PartitionState.NO_LEADER);
  }

  /** The node the controller runs on. */
  public int controllerId() {
    return cluster.controllerId();
  }

  /** Stops node {@code id} abruptly: no cluster leave; the others detect it and down it. */
  public void crash(int id) throws Exception {
    cluster.crash(id);
  }

  /** Stops node {@code id} in order: it leaves the cluster and closes its logs. */
  public void stop(int id) throws Exception {
    cluster.stop(id);
  }

  /** Starts node {@code id} again with its id, ports and data: the same broker. */
  public VltavaNode restart(int id) throws Exception {
    return cluster.restart(id);
  }

  /**
   * A local ActorSystem, not a member of the Vltava cluster, for streams that reach the brokers
   * over the Kafka protocol; started on first use, terminated by {@link #close}.
   */
  public ActorSystem<Void> clientSystem() {
    if (clientSystem == null) {
      clientSystem = ActorSystem.create(Behaviors.empty(), "vltava-client",
          ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
    }
    return clientSystem;
  }

  /** Stops the client system and every running node, and deletes the data. */
  @Override
  public void close() throws Exception {
    try {
      if (clientSystem != null) {
        clientSystem.terminate();
        clientSystem.getWhenTerminated().toCompletableFuture().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
      admin.close(Duration.ofSeconds(5));
      // An orderly stop (leave, drain, close logs) takes seconds per node and the data is deleted anyway.
      cluster.crashAll();
    } finally {
      deleteRecursively(dataDir);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
