package io.vltava.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.vltava.controller.Controller;
import io.vltava.security.ClientQuotaManager;
import io.vltava.controller.MetadataSubscriber;
import java.util.HashMap;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;
import io.vltava.group.GroupCoordinators;
import io.vltava.group.GroupSettings;
import io.vltava.http.HttpEndpoint;
import io.vltava.http.NodeMetrics;
import io.vltava.http.Readiness;
import io.vltava.http.console.WebConsole;
import io.vltava.kafka.ApiHandlers;
import io.vltava.kafka.BrokerServices;
import io.vltava.kafka.FetchSessionCache;
import io.vltava.kafka.KafkaApis;
import io.vltava.kafka.KafkaListener;
import io.vltava.kafka.NamedListener;
import io.vltava.metadata.ScramCredentials;
import io.vltava.replica.InterBrokerListener;
import io.vltava.security.SslSettings;
import io.vltava.security.OAuthBearerValidator;
import io.vltava.security.SaslServers;
import io.vltava.security.SaslSettings;
import io.vltava.security.ScramCredentialFormat;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import io.vltava.metadata.BrokerInfo;
import io.vltava.metadata.ClusterState;
import io.vltava.metadata.MetadataCache;
import io.vltava.metadata.PartitionState;
import io.vltava.persistence.JournalSettings;
import io.vltava.replica.PartitionReplica;
import io.vltava.replica.ReplicaManager;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Vltava node: an ActorSystem that is a Pekko cluster member, the controller, the partition
 * replicas this node holds, and its Kafka listeners. {@link #start} returns once clients can connect;
 * shutdown runs in order through Pekko's CoordinatedShutdown: stop accepting, finish in-flight
 * requests, close every log cleanly.
 */
public final class VltavaNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(VltavaNode.class);
  private static final String CONTROLLER_ROLE = "controller";
  private static final String BROKER_ROLE = "broker";

  private final ActorSystem<Void> system;
  private final NodeSettings settings;
  /** In the order of vltava.listeners; the first is the one {@link #kafkaAddress()} names. */
  private final List<KafkaListener> listeners;
  private final MetadataCache metadata;

  private final ReplicaManager replicas;
  private final FetchSessionCache fetchSessions;
  private final Optional<HttpEndpoint> http;
  private final Readiness readiness;

  private VltavaNode(
      ActorSystem<Void> system, NodeSettings settings, List<KafkaListener> listeners, MetadataCache metadata, ReplicaManager replicas,
      FetchSessionCache fetchSessions, Optional<HttpEndpoint> http, Readiness readiness) {
    this.system = system;
    this.http = http;
    this.readiness = readiness;
    this.fetchSessions = fetchSessions;
    this.settings = settings;
    this.listeners = List.copyOf(listeners);
    this.metadata = metadata;
    this.replicas = replicas;
  }

  /** The sharded entity of a partition's leader, wherever in the cluster it is. */
  public org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<io.vltava.replica.PartitionLeader.Command> partitionLeader(
      org.apache.kafka.common.TopicPartition partition) {
    return replicas.leaderRef(partition);
  }

  /** This node's incremental fetch sessions (KIP-227). */
  public FetchSessionCache fetchSessions() {
    return fetchSessions;
  }

  /** This node's view of the cluster metadata. */
  public MetadataCache metadata() {
    return metadata;
  }

  /** Starts a node from a config already checked by {@link NodeSettings#load}. */
  public static VltavaNode start(Config config) throws Exception {
    NodeSettings settings = NodeSettings.from(config);
    Files.createDirectories(settings.dataDir());
    Optional<ClusterMeta> meta = ClusterMeta.read(settings.dataDir());
    if (meta.isPresent() && meta.get().nodeId() != settings.nodeId()) {
      throw new MembershipRefusedException("the data directory " + settings.dataDir() + " belongs to node "
          + meta.get().nodeId() + ", not to node " + settings.nodeId());
    }
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "vltava", clusterConfig(settings).withFallback(config));
    try {
      Cluster cluster = Cluster.get(system);
      // Up before joining, so that probes see why the node is not ready yet.
      Readiness readiness = new Readiness("joining the cluster (seeds " + settings.cluster().seeds()
          + (settings.cluster().discovers() ? ", and the pods the Kubernetes API lists" : "") + ")");
      NodeMetrics metrics = new NodeMetrics();
      Optional<HttpEndpoint> http = startHttp(system, settings, readiness, metrics);
      Optional<OAuthBearerValidator> oauthBearer = startOAuthBearer(system, settings.sasl());
      String clusterId = awaitMembership(system, settings, meta);
      readiness.notReady("starting the broker");
      MetadataCache metadata = new MetadataCache(settings.nodeId());
      system.systemActorOf(MetadataSubscriber.create(metadata), "metadata-subscriber", Props.empty());
      ActorRef<Controller.Command> controller = ClusterSingleton.get(system).init(
          SingletonActor.of(Controller.create(controllerSettings(settings, JournalSettings.from(config), clusterId, metrics), metadata), "controller")
              .withSettings(ClusterSingletonSettings.create(system).withRole(CONTROLLER_ROLE)));

      ReplicaManager replicas = new ReplicaManager(
          system, metadata, settings.topicConfigs(), settings.dataDir(),
          PartitionReplica.Settings.of(settings.replication(), settings.retentionCheckInterval(), Clock.systemUTC()),
          settings.replication(),
          isrChangesThrough(system, controller, settings), interBrokerListener(settings));
      replicas.start();
      GroupCoordinators groups = GroupCoordinators.start(system, GroupSettings.from(config), Clock.systemUTC());
      metrics.watch(system, metadata, replicas, groups, settings.consumerLagTimeout());
      BrokerServices services = new BrokerServices(
          system, metadata, replicas, controller, settings.topicConfigs(), settings.autoCreateTopics(), settings.requests(),
          groups, metrics, settings.authorization(),
          new ClientQuotaManager(ClientQuotaManager.Settings.fromConfig(config.getConfig("vltava.quotas"))));
      FetchSessionCache fetchSessions = new FetchSessionCache(settings.fetchSessions(), Clock.systemUTC());
      ApiHandlers handlers = ApiHandlers.of(KafkaApis.handlers(services, fetchSessions, settings.numPartitions()));
      List<KafkaListener> listeners = new java.util.ArrayList<>();
      for (NamedListener named : settings.listeners().all()) {
        listeners.add(KafkaListener.bind(system, settings.listener(), named, security(settings, named, metadata, oauthBearer), handlers, metrics)
            .toCompletableFuture().get(settings.startupTimeout().toMillis(), TimeUnit.MILLISECONDS));
      }
      VltavaNode node = new VltavaNode(system, settings, listeners, metadata, replicas, fetchSessions, http, readiness);
      http.ifPresent(endpoint -> WebConsole.mount(endpoint, settings.console(), node.plaintextBootstrapServers(), system, metadata,
          readiness, metrics, replicas.progress()));
      node.registerShutdownTasks(groups, controller);

      BrokerInfo self = new BrokerInfo(settings.nodeId(), listeners.stream()
          .map(l -> new BrokerInfo.Endpoint(l.listener().name(), l.listener().advertisedHost(), l.advertisedPort())).toList(),
          cluster.selfMember().address().toString());
      // Only a broker-role node is registered, so only it is given partition replicas.
      if (settings.cluster().hasRole(BROKER_ROLE)) {
        register(system, controller, self, settings.cluster().consistencyTimeout().multipliedBy(2), settings.startupTimeout());
      }
      JournalWiring.start(system, config, controller, replicas, metadata, settings.cluster().size(), settings.startupTimeout());
      // Ready once this node's metadata holds the cluster's state (with this broker registered, for a broker).
      readiness.notReady("waiting for the cluster metadata");
      boolean broker = settings.cluster().hasRole(BROKER_ROLE);
      metadata.awaitState(state -> state.version() > 0 && (!broker || state.brokers().containsKey(settings.nodeId())))
          .thenRun(readiness::ready);
      // The first listener in the form scripts already read ("Kafka listener on host:port"), then any others.
      log.info("Vltava node {} ready: Kafka listener on {}, HTTP on {}, cluster member {}, data in {}",
          settings.nodeId(), listenersForReadyLine(listeners),
          http.map(h -> h.boundAddress().getHostString() + ":" + h.boundAddress().getPort()).orElse("(off)"),
          cluster.selfMember().address(), settings.dataDir().toAbsolutePath());
      return node;
    } catch (Exception e) {
      system.terminate();
      throw e;
    }
  }

  /** The HTTP endpoint on the listener's host, stopped with the actor system however it ends; empty when turned off. */
  private static Optional<HttpEndpoint> startHttp(ActorSystem<?> system, NodeSettings settings, Readiness readiness, NodeMetrics metrics)
      throws java.io.IOException {
    if (settings.httpPort() == NodeSettings.HTTP_DISABLED) {
      return Optional.empty();
    }
    HttpEndpoint http = HttpEndpoint.start(settings.listener().host(), settings.httpPort(), readiness, metrics::scrape);
    system.getWhenTerminated().thenRun(http::close);
    return Optional.of(http);
  }

  /**
   * With OAUTHBEARER enabled, the token validator over the configured JWKS, read now so that a JWKS
   * that cannot be read stops start-up; its refresh stops with the actor system however it ends.
   */
  private static Optional<OAuthBearerValidator> startOAuthBearer(ActorSystem<?> system, SaslSettings sasl) {
    if (!sasl.enabledMechanisms().contains(SaslSettings.OAUTHBEARER)) {
      return Optional.empty();
    }
    OAuthBearerValidator validator = OAuthBearerValidator.start(sasl.oauthBearer());
    system.getWhenTerminated().thenRun(validator::close);
    return Optional.of(validator);
  }

  /**
   * Blocks until this node is a member of its cluster (see {@link ClusterFormation}) and returns the
   * cluster id; nothing answers clients before. Throws {@link MembershipRefusedException} when
   * the node must not join.
   */
  private static String awaitMembership(ActorSystem<?> system, NodeSettings settings, Optional<ClusterMeta> meta)
      throws InterruptedException, java.io.IOException {
    CompletableFuture<String> membership = new CompletableFuture<>();
    system.getWhenTerminated().thenRun(() ->
        membership.completeExceptionally(new IllegalStateException("the node stopped before it joined its cluster")));
    boolean holdsPartitionData = meta.isEmpty() && ClusterMeta.holdsPartitionData(settings.dataDir());
    Optional<KubernetesPodDiscovery> discovery = settings.cluster().discovery().kubernetesApi().isEmpty() ? Optional.empty()
        : Optional.of(new KubernetesPodDiscovery(settings.cluster().discovery().kubernetesApi().get(), settings.cluster().port()));
    system.systemActorOf(ClusterFormation.create(settings.cluster(), settings.nodeId(), settings.dataDir(), meta, holdsPartitionData,
            discovery, membership),
        ClusterFormation.NAME, DispatcherSelector.blocking());
    try {
      return membership.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException refused) {
        throw refused;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Pekko settings that follow from the node's own: its cluster endpoint, seeds, roles and where durable metadata lives. */
  private static Config clusterConfig(NodeSettings settings) {
    NodeSettings.ClusterSettings cluster = settings.cluster();
    Map<String, Object> values = new HashMap<>();
    values.put("pekko.remote.artery.canonical.hostname", cluster.host());
    values.put("pekko.remote.artery.canonical.port", cluster.port());
    values.put("pekko.cluster.roles", cluster.roles());
    values.put("pekko.cluster.distributed-data.durable.lmdb.dir",
        settings.dataDir().resolve("cluster-metadata").toAbsolutePath().toString());
    // The controlled shutdown's two steps (see registerShutdownTasks) run in this phase, plus a margin.
    values.put("pekko.coordinated-shutdown.phases.before-service-unbind.timeout",
        settings.shutdownHandoverTimeout().multipliedBy(2).plusSeconds(2).toMillis() + "ms");
    return ConfigFactory.parseMap(values, "node settings");
  }

  /** Leaders propose ISR changes, and replicas report their logs offline or back, to the controller, which alone changes metadata. */
  private static io.vltava.replica.IsrChanges isrChangesThrough(
      ActorSystem<?> system, ActorRef<Controller.Command> controller, NodeSettings settings) {
    Duration timeout = settings.cluster().consistencyTimeout().multipliedBy(2);
    return new io.vltava.replica.IsrChanges() {
      @Override
      public CompletionStage<Decision> propose(TopicPartition partition, PartitionState base, List<Integer> isr) {
        return ask(replyTo -> new Controller.AlterIsr(partition.topic(), partition.partition(), base, isr, replyTo));
      }

      @Override
      public CompletionStage<Decision> reportReplica(TopicPartition partition, int nodeId, boolean online) {
        return ask(replyTo -> new Controller.ReplicaStatus(partition.topic(), partition.partition(), nodeId, online, replyTo));
      }

      private CompletionStage<Decision> ask(
          org.apache.pekko.japi.function.Function<ActorRef<Controller.IsrChanged>, Controller.Command> request) {
        return io.vltava.replica.DirectCompletion.of(AskPattern.ask(controller, request, timeout, system.scheduler()))
            .thenApply(changed -> new Decision(org.apache.kafka.common.protocol.Errors.forCode(changed.errorCode()), changed.partition()));
      }
    };
  }

  /** This node's replica of {@code partition}, if it holds one. */
  public java.util.Optional<io.vltava.replica.LocalReplica> localReplica(org.apache.kafka.common.TopicPartition partition) {
    return replicas.replica(partition);
  }

  /**
   * How far this node's long operations have got: the start-up recovery of its partition logs and
   * the followers catching up with the partitions it leads (for the console and tools).
   */
  public io.vltava.replica.ReplicationProgress progress() {
    return replicas.progress();
  }

  /** Fault injection for tests and the testkit: stops (or resumes) this node's follower fetching. */
  public void pauseReplication(boolean paused) {
    replicas.pauseReplication(paused);
  }

  private static Controller.Settings controllerSettings(
      NodeSettings settings, JournalSettings journal, String clusterId, NodeMetrics metrics) {
    return new Controller.Settings(clusterId, settings.nodeId(), settings.numPartitions(), settings.defaultReplicationFactor(),
        settings.topicConfigs()::validate,
        (topic, before, after) -> journal.checkConfigChange(topic,
            settings.topicConfigs().effective(before).get(TopicConfig.CLEANUP_POLICY_CONFIG),
            settings.topicConfigs().effective(after).get(TopicConfig.CLEANUP_POLICY_CONFIG)),
        topic -> settings.topicConfigs().uncleanLeaderElection(topic.configs()),
        settings.replication().autoLeaderRebalance(),
        settings.cluster().consistencyTimeout(),
        Map.of(journal.topic(), journal.targetReplicationFactor(), journal.snapshotTopic(), journal.targetReplicationFactor()),
        metrics::isrChanged,
        bootstrapScramCredentials(settings.sasl()));
  }

  /** The configured first SCRAM credentials, salted and hashed here: passwords never enter the metadata. */
  private static ScramCredentials bootstrapScramCredentials(SaslSettings sasl) {
    ScramCredentials credentials = ScramCredentials.NONE;
    for (SaslSettings.BootstrapCredential entry : sasl.scramBootstrap()) {
      credentials = credentials.with(entry.user(), entry.mechanism(),
          ScramCredentialFormat.fromPassword(entry.mechanism(), entry.password(), entry.iterations()));
    }
    return credentials;
  }

  /**
   * Asks the controller to give this broker's leaderships and ISR places to the others, and waits
   * until this node's metadata shows it. Replication to this node stops first, so that no leader
   * takes it back into an ISR meanwhile.
   */
  private CompletionStage<ClusterState> moveLeadershipAway(ActorRef<Controller.Command> controller) {
    ClusterState current = metadata.current();
    boolean othersCanLead = current.brokers().keySet().stream().anyMatch(broker -> broker != settings.nodeId());
    if (!settings.cluster().hasRole(BROKER_ROLE) || !othersCanLead) {
      return CompletableFuture.completedFuture(current);
    }
    replicas.stopFollowing();
    return AskPattern.<Controller.Command, Long>ask(controller, replyTo -> new Controller.BrokerStopping(settings.nodeId(), replyTo),
            settings.shutdownHandoverTimeout(), system.scheduler())
        .thenCompose(version -> metadata.awaitVersion(version).orTimeout(settings.shutdownHandoverTimeout().toMillis(), TimeUnit.MILLISECONDS));
  }

  /** Tells the controller this broker's endpoints, retrying while no controller is up yet. */
  private static void register(
      ActorSystem<?> system, ActorRef<Controller.Command> controller, BrokerInfo self, Duration attemptTimeout, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        AskPattern.<Controller.Command, Done>ask(controller, replyTo -> new Controller.RegisterBroker(self, replyTo),
            attemptTimeout, system.scheduler()).toCompletableFuture().get();
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("No controller registered broker " + self.nodeId() + " within " + timeout, e);
        }
        log.info("Waiting for a controller to register broker {}", self.nodeId());
      }
    }
  }

  private void registerShutdownTasks(GroupCoordinators groups, ActorRef<Controller.Command> controller) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    // Before anything else, as Kafka's controlled shutdown: clients move on while this node still serves.
    // The group coordinators go first, while the journal partitions this node leads still take writes
    // (handed over later, a coordinator could neither persist nor stop); then the controller moves this
    // node's leaderships and ISR places to the others; then the node stops leading what it still leads.
    // A node the cluster downed is no longer a member: nobody would take anything over, so it only stops leading.
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "controlled-shutdown", () -> {
      readiness.stopping();
      boolean orderly = shutdown.getShutdownReason().map(CoordinatedShutdown.unknownReason()::equals).orElse(true);
      CompletionStage<?> handedOver = !orderly ? CompletableFuture.completedFuture(Done.getInstance())
          : groups.handOff(settings.shutdownHandoverTimeout()).thenCompose(handedOff -> moveLeadershipAway(controller));
      return handedOver
          .handle((moved, failure) -> {
            if (failure != null) {
              log.warn("Stopping without moving leadership first ({}); clients wait for this node to leave the cluster", failure.toString());
            }
            replicas.resignLeadership();
            return Done.getInstance();
          });
    });
    shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "kafka-listener-unbind",
        () -> allOf(listeners.stream().map(KafkaListener::unbind).toList()));
    shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "kafka-requests-done",
        () -> allOf(listeners.stream().map(l -> l.shutdown(settings.shutdownDrainTimeout())).toList()));
    // Last, so that /health/ready answers 503 (not a refused connection) while the node drains.
    http.ifPresent(endpoint -> shutdown.addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "http-stop", () -> {
      endpoint.close();
      return CompletableFuture.completedFuture(Done.getInstance());
    }));
    shutdown.addTask(CoordinatedShutdown.PhaseServiceStop(), "close-logs",
        () -> replicas.shutdown().thenApply(closed -> Done.getInstance()));
  }

  /** Where the HTTP endpoint listens; empty when {@code vltava.http.port} is -1. */
  public Optional<InetSocketAddress> httpAddress() {
    return http.map(HttpEndpoint::boundAddress);
  }

  private static CompletionStage<Done> allOf(List<CompletionStage<Done>> stages) {
    return CompletableFuture.allOf(stages.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new))
        .thenApply(all -> Done.getInstance());
  }

  /** Where the first listener is bound. */
  public InetSocketAddress kafkaAddress() {
    return listeners.get(0).boundAddress();
  }

  /** Where the listener named {@code listenerName} is bound. */
  public InetSocketAddress kafkaAddress(String listenerName) {
    return listeners.stream().filter(l -> l.listener().name().equals(listenerName)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no listener " + listenerName)).boundAddress();
  }

  /** The first listener's advertised address, as a client's bootstrap.servers. */
  private static String listenersForReadyLine(List<KafkaListener> listeners) {
    List<String> described = new java.util.ArrayList<>();
    for (KafkaListener l : listeners) {
      String address = l.boundAddress().getHostString() + ":" + l.boundAddress().getPort();
      described.add(described.isEmpty() ? address + " (" + l.listener().name() + ")" : l.listener().name() + "://" + address);
    }
    return String.join(", ", described);
  }

  public String bootstrapServers() {
    return bootstrapServers(listeners.get(0).listener().name());
  }

  /** The advertised address of the first PLAINTEXT listener, if the node has one (the web console's way in). */
  public Optional<String> plaintextBootstrapServers() {
    return listeners.stream().filter(l -> l.listener().securityProtocol() == SecurityProtocol.PLAINTEXT).findFirst()
        .map(l -> bootstrapServers(l.listener().name()));
  }

  public String bootstrapServers(String listenerName) {
    KafkaListener listener = listeners.stream().filter(l -> l.listener().name().equals(listenerName)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no listener " + listenerName));
    return listener.listener().advertisedHost() + ":" + listener.advertisedPort();
  }

  /** The TLS context and SASL mechanisms a listener's security protocol needs; a bad keystore stops start-up. */
  private static KafkaListener.Security security(NodeSettings settings, NamedListener listener, MetadataCache metadata,
      Optional<OAuthBearerValidator> oauthBearer) {
    SslSettings ssl = settings.ssl(listener.name());
    Optional<SSLContext> tls = listener.usesTls() ? Optional.of(ssl.serverContext()) : Optional.empty();
    Optional<SaslServers> sasl = listener.usesSasl()
        ? Optional.of(new SaslServers(settings.sasl(), () -> metadata.current().scramCredentials(), oauthBearer))
        : Optional.empty();
    return new KafkaListener.Security(Optional.of(ssl), tls, sasl);
  }

  /** Followers connect to leaders' inter-broker listener in plain text or TLS (that listener's settings), with SASL on a SASL listener. */
  private static InterBrokerListener interBrokerListener(NodeSettings settings) {
    NamedListener interBroker = settings.listeners().interBroker();
    SocketFactory sockets = interBroker.usesTls()
        ? settings.ssl(interBroker.name()).clientSockets()
        : SocketFactory.getDefault();
    return new InterBrokerListener(interBroker.name(), sockets, settings.interBrokerSasl());
  }

  public NodeSettings settings() {
    return settings;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /** Starts an orderly shutdown (leave the cluster, drain clients, close logs); completes when the node is down. */
  public CompletionStage<Done> shutdown() {
    return CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason())
        .thenCompose(done -> system.getWhenTerminated());
  }

  /**
   * Stops the node abruptly, as a crash would look to the rest of the cluster: it does not leave the
   * cluster (the others must detect and down it) and clients are cut off. Only for tests and the testkit.
   */
  public CompletionStage<Done> crash() {
    // With run-by-actor-system-terminate off, terminating skips CoordinatedShutdown: no leave, no drain.
    system.terminate();
    return system.getWhenTerminated();
  }

  @Override
  public void close() throws Exception {
    shutdown().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
  }
}
