package io.vltava.node;

import com.typesafe.config.Config;
import io.vltava.controller.Controller;
import io.vltava.group.GroupCoordinators;
import io.vltava.group.GroupSettings;
import io.vltava.kafka.ApiHandlers;
import io.vltava.kafka.BrokerServices;
import io.vltava.kafka.KafkaApis;
import io.vltava.kafka.KafkaListener;
import io.vltava.metadata.BrokerInfo;
import io.vltava.metadata.MetadataCache;
import io.vltava.replica.ReplicaManager;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Vltava node: an ActorSystem that is a Pekko cluster member, the controller, the partition
 * replicas this node holds, and the Kafka listener. {@link #start} returns once clients can connect;
 * shutdown runs in order through Pekko's CoordinatedShutdown: stop accepting, finish in-flight
 * requests, close every log cleanly.
 */
public final class VltavaNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(VltavaNode.class);
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

  private final ActorSystem<Void> system;
  private final NodeSettings settings;
  private final KafkaListener listener;

  private VltavaNode(ActorSystem<Void> system, NodeSettings settings, KafkaListener listener) {
    this.system = system;
    this.settings = settings;
    this.listener = listener;
  }

  /** Starts a node from a config already checked by {@link NodeSettings#load}. */
  public static VltavaNode start(Config config) throws Exception {
    NodeSettings settings = NodeSettings.from(config);
    Files.createDirectories(settings.dataDir());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "vltava", config);
    try {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));

      MetadataCache metadata = new MetadataCache(settings.nodeId());
      ActorRef<Controller.Command> controller = system.systemActorOf(
          Controller.create(
              new Controller.Settings(settings.nodeId(), settings.numPartitions(), settings.defaultReplicationFactor(),
                  settings.topicConfigs()::validate),
              settings.dataDir(), metadata),
          "controller", Props.empty());
      ReplicaManager replicas = new ReplicaManager(
          system, metadata, settings.topicConfigs(), settings.dataDir(), settings.retentionCheckInterval(), Clock.systemUTC());
      replicas.start();
      GroupCoordinators groups = GroupCoordinators.start(system, GroupSettings.from(config), Clock.systemUTC());
      BrokerServices services = new BrokerServices(
          system, metadata, replicas, controller, settings.topicConfigs(), settings.autoCreateTopics(), STARTUP_TIMEOUT,
          groups);
      KafkaListener listener = KafkaListener.bind(system, settings.listener(), ApiHandlers.of(KafkaApis.handlers(services)))
          .toCompletableFuture().get(STARTUP_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      VltavaNode node = new VltavaNode(system, settings, listener);
      node.registerShutdownTasks(replicas);

      BrokerInfo self = new BrokerInfo(settings.nodeId(), settings.listener().advertisedHost(), listener.boundAddress().getPort());
      AskPattern.<Controller.Command, Done>ask(controller, replyTo -> new Controller.RegisterBroker(self, replyTo),
              STARTUP_TIMEOUT, system.scheduler())
          .toCompletableFuture().get();
      JournalWiring.start(system, config, controller, replicas, STARTUP_TIMEOUT);
      log.info("Vltava node {} ready: Kafka listener on {}:{}, data in {}",
          settings.nodeId(), listener.boundAddress().getHostString(), listener.boundAddress().getPort(),
          settings.dataDir().toAbsolutePath());
      return node;
    } catch (Exception e) {
      system.terminate();
      throw e;
    }
  }

  private void registerShutdownTasks(ReplicaManager replicas) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "kafka-listener-unbind", listener::unbind);
    shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "kafka-requests-done",
        () -> listener.shutdown(Duration.ofSeconds(10)));
    shutdown.addTask(CoordinatedShutdown.PhaseServiceStop(), "close-logs",
        () -> replicas.shutdown().thenApply(closed -> Done.getInstance()));
  }

  public InetSocketAddress kafkaAddress() {
    return listener.boundAddress();
  }

  public String bootstrapServers() {
    return settings.listener().advertisedHost() + ":" + listener.boundAddress().getPort();
  }

  public NodeSettings settings() {
    return settings;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /** Starts an orderly shutdown; completes when the node is down. */
  public CompletionStage<Done> shutdown() {
    // Terminating the system runs CoordinatedShutdown, and with it the tasks registered above.
    system.terminate();
    return system.getWhenTerminated();
  }

  @Override
  public void close() throws Exception {
    shutdown().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
  }
}
