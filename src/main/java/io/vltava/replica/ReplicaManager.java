package io.vltava.replica;

import io.vltava.log.CleanerConfig;
import io.vltava.log.LogCleaner;
import io.vltava.log.LogConfig;
import io.vltava.log.PartitionLog;
import io.vltava.log.TopicConfigs;
import io.vltava.metadata.BrokerConfigs;
import io.vltava.metadata.BrokerInfo;
import io.vltava.metadata.ClusterState;
import io.vltava.metadata.MetadataCache;
import io.vltava.metadata.PartitionState;
import io.vltava.metadata.TopicState;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's partition replicas in line with the metadata: starts a {@link PartitionReplica}
 * for each partition this node holds, stops and deletes the ones of deleted topics, passes config
 * changes on; and routes produce, fetch reads, offset lookups, delete-records and long-poll waits
 * to them: the way other packages reach a partition.
 */
public final class ReplicaManager {
  private static final Logger log = LoggerFactory.getLogger(ReplicaManager.class);
  public static final String LOG_DISPATCHER = "vltava.log-dispatcher";

  private final ActorSystem<?> system;
  private final MetadataCache metadata;
  private final TopicConfigs topicConfigs;
  private final Path dataDir;
  private final PartitionReplica.Settings replicaSettings;
  private final ReplicationSettings replication;
  private final IsrChanges isrChanges;
  /** Fetcher threads by the leader broker they fetch from. */
  private final Map<Integer, ReplicaFetcher> fetchers = new HashMap<>();
  /** Set once by {@link #stopFollowing}: no fetcher starts after it. */
  private volatile boolean stopping;
  private volatile boolean replicationPaused;
  private final Executor ioExecutor;
  private final DataArrivals arrivals = new DataArrivals();
  private final ConcurrentHashMap<TopicPartition, LocalReplica> replicas = new ConcurrentHashMap<>();
  private final ClusterSharding sharding;
  /** Partitions this node led at the last metadata change: gaining one wakes its sharded entity here. */
  private final Set<TopicPartition> led = new HashSet<>();
  private final Map<TopicPartition, LogConfig> configs = new HashMap<>();
  /** This node's follower.replication.throttled.rate, shared by its fetcher threads. */
  private final ReplicationQuota followerQuota = new ReplicationQuota();
  /** Local replicas their topic's follower.replication.throttled.replicas names. */
  private final Set<TopicPartition> followerThrottled = ConcurrentHashMap.newKeySet();
  /** This node's leader.replication.throttled.rate: what it sends, as leader, to throttled followers. */
  private final ReplicationQuota leaderQuota = new ReplicationQuota();
  /** Local replicas their topic's leader.replication.throttled.replicas names. */
  private final Set<TopicPartition> leaderThrottled = ConcurrentHashMap.newKeySet();
  /** Replicas of deleted topics whose files are still being removed; a re-created partition waits for them. */
  private final Map<TopicPartition, CompletionStage<Void>> deleting = new HashMap<>();
  /** Compacts the logs of this node's replicas of compacted topics, leader and follower alike. */
  private final LogCleaner cleaner;
  private final ReplicationProgress progress;
  /** Sends the replicas' ISR-check, maintenance and checkpoint ticks: one schedule per node, not per replica. */
  private final ReplicaScheduler scheduler;

  private final InterBrokerListener interBroker;

  public ReplicaManager(
      ActorSystem<?> system, MetadataCache metadata, TopicConfigs topicConfigs, Path dataDir,
      PartitionReplica.Settings replicaSettings, ReplicationSettings replication, IsrChanges isrChanges,
      InterBrokerListener interBroker) {
    this.system = system;
    this.interBroker = interBroker;
    this.metadata = metadata;
    this.topicConfigs = topicConfigs;
    this.dataDir = dataDir;
    this.replicaSettings = replicaSettings;
    this.replication = replication;
    this.progress = new ReplicationProgress(new LogRecoveryProgress(System::nanoTime), new CatchUpProgress());
    this.isrChanges = isrChanges;
    this.ioExecutor = system.dispatchers().lookup(DispatcherSelector.fromConfig(LOG_DISPATCHER));
    this.sharding = ClusterSharding.get(system);
    this.cleaner = new LogCleaner(CleanerConfig.from(system.settings().config().getConfig("vltava.log-cleaner")),
        this::cleanableLogs, replicaSettings.clock());
    this.scheduler = new ReplicaScheduler(replicas::values, metadata.localNodeId());
  }

  private List<LogCleaner.Candidate> cleanableLogs() {
    return replicas.values().stream()
        .filter(replica -> replica.log() != null)
        .map(replica -> new LogCleaner.Candidate(replica.topicPartition().toString(), replica.log(), replica.highWatermark()))
        .toList();
  }

  /** Registers the partition-leader entities with cluster sharding, then follows the metadata. */
  public void start() {
    sharding.init(Entity.of(PartitionLeader.TYPE_KEY,
            context -> PartitionLeader.create(context.getEntityId(), this, metadata, replication.leaderAppendTimeout()))
        .withMessageExtractor(new PartitionShards())
        .withAllocationStrategy(new LeaderAllocationStrategy(metadata, Cluster.get(system).selfMember().address(),
            replication.leaderWait()))
        .withRole("broker"));
    metadata.subscribe(this::onMetadata);
    // A crash skips the orderly shutdown; the fetcher threads must still end with the node.
    system.getWhenTerminated().thenRun(() -> {
      stopFetchers();
      stopCleaner();
    });
    cleaner.start();
    scheduler.start(replicaSettings, system.scheduler(), system.executionContext(),
        system.dispatchers().lookup(DispatcherSelector.blocking()));
    // Stops with the actor system's scheduler.
    system.scheduler().scheduleWithFixedDelay(replication.progressLogInterval(), replication.progressLogInterval(),
        () -> progress.catchUp().report(System.currentTimeMillis()).forEach(log::info), system.executionContext());
  }

  private void stopCleaner() {
    try {
      cleaner.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The node is stopping: its replicas stop fetching for good, so that no leader takes them back
   * into an ISR the controller has just taken them out of (see {@link #resignLeadership}).
   */
  public synchronized void stopFollowing() {
    stopping = true;
    stopFetchers();
  }

  private synchronized void stopFetchers() {
    fetchers.values().forEach(ReplicaFetcher::shutdown);
    fetchers.clear();
  }

  /** Reaches the partition's current leader from any node of the cluster. */
  public EntityRef<PartitionLeader.Command> leaderRef(TopicPartition partition) {
    return sharding.entityRefFor(PartitionLeader.TYPE_KEY, PartitionLeader.entityId(partition));
  }

  /** This node's log-cleaner settings, as its configuration file gives them. */
  public CleanerConfig cleanerConfig() {
    return cleaner.config();
  }

  /** Start-up log recovery and follower catch-up, as far as they have got. */
  public ReplicationProgress progress() {
    return progress;
  }

  /** Blocking log reads belong on this executor, not on the default dispatcher. */
  public Executor ioExecutor() {
    return ioExecutor;
  }

  public Optional<LocalReplica> replica(TopicPartition partition) {
    return Optional.ofNullable(replicas.get(partition));
  }

  /** Every partition replica this node holds. */
  public Collection<LocalReplica> localReplicas() {
    return List.copyOf(replicas.values());
  }

  /** The directory holding this node's partition logs: its one log dir, in Kafka's terms. */
  public Path dataDir() {
    return dataDir;
  }

  /**
   * The idempotent producers with batches in {@code partition}'s log, asked of the replica's writer
   * (the only owner of its producer state); an error instead when this node does not lead it.
   */
  public CompletionStage<ActiveProducers> activeProducers(TopicPartition partition, Duration timeout) {
    Errors error = leaderError(partition);
    LocalReplica replica = replicas.get(partition);
    if (error != Errors.NONE || replica == null || replica.writer() == null) {
      return CompletableFuture.completedFuture(new ActiveProducers(error == Errors.NONE ? Errors.LEADER_NOT_AVAILABLE : error, List.of()));
    }
    return DirectCompletion.of(AskPattern.<PartitionReplica.Command, List<io.vltava.log.ActiveProducer>>ask(
            replica.writer(), PartitionReplica.DescribeProducers::new, timeout, system.scheduler()))
        .thenApply(producers -> new ActiveProducers(Errors.NONE, producers.stream()
            .map(p -> new ActiveProducers.Producer(p.producerId(), p.producerEpoch(), p.lastSequence(), p.lastTimestampMs()))
            .toList()));
  }

  /** A partition's active idempotent producers, or the error that kept them from being read. */
  public record ActiveProducers(Errors error, List<Producer> producers) {
    public record Producer(long producerId, short producerEpoch, int lastSequence, long lastTimestampMs) {}
  }

  /**
   * Why this node cannot serve {@code partition} as its leader, or NONE if it can: an unknown topic
   * or partition, a local replica whose log is offline, a leader elsewhere or none, or a local
   * replica still opening its log.
   */
  public Errors leaderError(TopicPartition partition) {
    Optional<PartitionState> state = metadata.current().topic(partition.topic())
        .filter(t -> partition.partition() >= 0 && partition.partition() < t.partitionCount())
        .map(t -> t.partitions().get(partition.partition()));
    if (state.isEmpty()) {
      return Errors.UNKNOWN_TOPIC_OR_PARTITION;
    }
    LocalReplica replica = replicas.get(partition);
    if (replica != null && replica.storageError() != null) {
      // As Kafka answers for a partition in an offline log dir, whoever leads it by now: the client refreshes its metadata.
      return Errors.KAFKA_STORAGE_ERROR;
    }
    if (!state.get().hasLeader()) {
      return Errors.LEADER_NOT_AVAILABLE;
    }
    if (state.get().leader() != metadata.localNodeId()) {
      return Errors.NOT_LEADER_OR_FOLLOWER;
    }
    if (replica == null || replica.log() == null) {
      return Errors.LEADER_NOT_AVAILABLE;
    }
    return replica.isLeader() ? Errors.NONE : Errors.NOT_LEADER_OR_FOLLOWER;
  }

  /**
   * Reads {@code partition} for a fetch, as its leader (see {@link LocalReplica#read}); a follower's
   * read records its position and counts against the leader's replication throttle, which may
   * shrink it. {@code currentLeaderEpoch} is the fetcher's view (-1: unknown). Unless
   * {@code batchMayExceedLimit}, a first batch larger than {@code maxBytes} is not returned.
   * Blocking: call on {@link #ioExecutor()}.
   */
  public PartitionRead read(
      TopicPartition partition, int fetcherReplicaId, long fetchOffset, int currentLeaderEpoch, int maxBytes,
      boolean batchMayExceedLimit) {
    return read(partition, fetcherReplicaId, fetchOffset, currentLeaderEpoch, maxBytes, batchMayExceedLimit, RecordsForm.MEMORY);
  }

  /** As the read above, handing the batches over in {@code form}. Blocking: call on {@link #ioExecutor()}. */
  public PartitionRead read(
      TopicPartition partition, int fetcherReplicaId, long fetchOffset, int currentLeaderEpoch, int maxBytes,
      boolean batchMayExceedLimit, RecordsForm form) {
    LocalReplica replica = replicas.get(partition);
    Errors error = leaderError(partition, replica, currentLeaderEpoch);
    if (error != Errors.NONE) {
      // As Kafka's fetch answers: clients treat LEADER_NOT_AVAILABLE in a fetch as an unexpected,
      // fatal error (Kafka Streams stops), NOT_LEADER_OR_FOLLOWER as "refresh metadata and retry".
      return PartitionRead.failed(error == Errors.LEADER_NOT_AVAILABLE ? Errors.NOT_LEADER_OR_FOLLOWER : error);
    }
    boolean follower = fetcherReplicaId >= 0;
    int allowedBytes = follower ? leaderThrottledMaxBytes(partition, fetcherReplicaId, maxBytes) : maxBytes;
    PartitionLog readLog = replica.log();
    try {
      PartitionRead read = replica.read(fetcherReplicaId, fetchOffset, allowedBytes, batchMayExceedLimit, form, System.currentTimeMillis());
      if (follower) {
        leaderSent(partition, fetcherReplicaId, read.sizeInBytes());
      }
      return read;
    } catch (IOException e) {
      return PartitionRead.failed(readFailed(replica, readLog, e));
    } catch (RuntimeException e) {
      log.warn("Fetch from {} at offset {} failed", partition, fetchOffset, e);
      return PartitionRead.failed(Errors.forException(e));
    }
  }

  /**
   * A read of {@code readLog} failed: a segment closed under the reader (retention, truncation, the
   * log going offline) is a race, answered as retriable; any other I/O error takes the replica
   * offline, as a failed write does.
   */
  private Errors readFailed(LocalReplica replica, PartitionLog readLog, IOException e) {
    if (e instanceof ClosedChannelException || readLog == null) {
      return Errors.NOT_LEADER_OR_FOLLOWER;
    }
    replica.writer().tell(new PartitionReplica.StorageFailed(readLog, "Reading", e));
    return Errors.KAFKA_STORAGE_ERROR;
  }

  /**
   * ListOffsets on {@code partition} as its leader (see {@link LocalReplica#listOffset}).
   * {@code currentLeaderEpoch} is the client's view (-1: unknown). Blocking: call on {@link #ioExecutor()}.
   */
  public ListedOffset listOffset(TopicPartition partition, int currentLeaderEpoch, long timestamp) {
    LocalReplica replica = replicas.get(partition);
    Errors error = leaderError(partition, replica, currentLeaderEpoch);
    if (error != Errors.NONE) {
      return ListedOffset.failed(error);
    }
    PartitionLog readLog = replica.log();
    try {
      return replica.listOffset(timestamp);
    } catch (IOException e) {
      return ListedOffset.failed(readFailed(replica, readLog, e));
    } catch (RuntimeException e) {
      return ListedOffset.failed(Errors.forException(e));
    }
  }

  /** Where {@code leaderEpoch} ends in the log of {@code partition}, as its leader. */
  public EpochEnd endOffsetForEpoch(TopicPartition partition, int currentLeaderEpoch, int leaderEpoch) {
    LocalReplica replica = replicas.get(partition);
    Errors error = leaderError(partition, replica, currentLeaderEpoch);
    return error != Errors.NONE ? EpochEnd.failed(error) : replica.endOffsetFor(leaderEpoch);
  }

  /** {@link #leaderError(TopicPartition)}, then the request's leader epoch against the replica's. */
  private Errors leaderError(TopicPartition partition, LocalReplica replica, int requestLeaderEpoch) {
    Errors error = leaderError(partition);
    if (error != Errors.NONE) {
      return error;
    }
    return replica == null ? Errors.LEADER_NOT_AVAILABLE : epochError(requestLeaderEpoch, replica.leaderEpoch());
  }

  /**
   * A request's view of the leader epoch against ours: an older one is fenced (the client's
   * metadata is stale), a newer one unknown (ours is); -1 means the client did not say.
   */
  static Errors epochError(int requestEpoch, int leaderEpoch) {
    if (requestEpoch == -1 || requestEpoch == leaderEpoch) {
      return Errors.NONE;
    }
    return requestEpoch < leaderEpoch ? Errors.FENCED_LEADER_EPOCH : Errors.UNKNOWN_LEADER_EPOCH;
  }

  public CompletionStage<AppendOutcome> append(TopicPartition partition, MemoryRecords records, Duration timeout) {
    return askWriter(partition, timeout, replyTo -> new PartitionReplica.Append(records, replyTo));
  }

  /** Advances the log start offset; -1 means up to the high watermark, as DeleteRecords defines. */
  public CompletionStage<AppendOutcome> deleteRecordsBefore(TopicPartition partition, long offset, Duration timeout) {
    return askWriter(partition, timeout, replyTo -> new PartitionReplica.DeleteRecordsBefore(offset, replyTo));
  }

  /**
   * Completes when the high watermark passes {@code offset} (an acks=all produce is then
   * acknowledged), or with the error that ended the wait: REQUEST_TIMED_OUT after {@code timeout},
   * NOT_LEADER_OR_FOLLOWER if this replica stopped leading.
   */
  public CompletionStage<Errors> awaitCommitted(TopicPartition partition, long offset, Duration timeout) {
    LocalReplica replica = replicas.get(partition);
    if (replica == null) {
      return CompletableFuture.completedFuture(Errors.NOT_LEADER_OR_FOLLOWER);
    }
    return replica.awaitCommitted(offset).toCompletableFuture()
        .completeOnTimeout(Errors.REQUEST_TIMED_OUT, timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /**
   * acks=all: completes with {@code appended} once every in-sync replica has it (the high watermark
   * passed it), or with the error that ended the wait; NOT_ENOUGH_REPLICAS_AFTER_APPEND if the ISR
   * shrank below the topic's min.insync.replicas meanwhile.
   */
  public CompletionStage<AppendOutcome> awaitReplicated(TopicPartition partition, AppendOutcome appended, Duration timeout) {
    if (appended.error() != Errors.NONE) {
      return CompletableFuture.completedFuture(appended);
    }
    return awaitCommitted(partition, appended.info().lastOffset(), timeout).thenApply(error -> {
      if (error != Errors.NONE) {
        return AppendOutcome.failed(error, "waiting for the in-sync replicas of " + partition);
      }
      int isrSize = replica(partition).map(r -> r.state().isr().size()).orElse(0);
      int minInsyncReplicas = metadata.current().topic(partition.topic())
          .map(topic -> topicConfigs.minInsyncReplicas(topic.configs())).orElse(1);
      return isrSize < minInsyncReplicas
          ? AppendOutcome.failed(Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND, "the ISR of " + partition + " shrank to " + isrSize)
          : appended;
    });
  }

  public int localNodeId() {
    return metadata.localNodeId();
  }

  /** Where followers reach a live broker's inter-broker listener, or null. */
  BrokerInfo.Endpoint interBrokerEndpoint(int nodeId) {
    BrokerInfo broker = metadata.current().brokers().get(nodeId);
    return broker == null ? null : broker.endpoint(interBroker.listenerName()).orElse(null);
  }

  InterBrokerListener interBroker() {
    return interBroker;
  }

  /** Fault injection for tests and the testkit: stop (or resume) every follower fetch of this node. */
  public synchronized void pauseReplication(boolean paused) {
    replicationPaused = paused;
    fetchers.values().forEach(fetcher -> fetcher.paused(paused));
  }

  /** Completes when any of {@code partitions} gets new data, or after {@code maxWait}. */
  public CompletionStage<Void> awaitData(Collection<TopicPartition> partitions, Duration maxWait) {
    return arrivals.await(partitions, maxWait);
  }

  /** Stops leading every local replica (see {@link LocalReplica#resign}); the first step of a node's stop. */
  public void resignLeadership() {
    replicas.values().forEach(LocalReplica::resign);
  }

  /** Closes every log cleanly; completes when all are closed. */
  public CompletionStage<Void> shutdown() {
    scheduler.stop();
    stopFetchers();
    stopCleaner();
    CompletableFuture<?>[] closing = replicas.values().stream()
        .filter(replica -> replica.writer() != null)
        .map(replica -> {
          replica.writer().tell(new PartitionReplica.Close());
          return replica.whenClosed().toCompletableFuture();
        })
        .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(closing);
  }

  private CompletionStage<AppendOutcome> askWriter(
      TopicPartition partition,
      Duration timeout,
      org.apache.pekko.japi.function.Function<org.apache.pekko.actor.typed.ActorRef<AppendOutcome>, PartitionReplica.Command> request) {
    Errors error = leaderError(partition);
    if (error != Errors.NONE) {
      return CompletableFuture.completedFuture(AppendOutcome.failed(error, null));
    }
    LocalReplica replica = replicas.get(partition);
    if (replica == null || replica.writer() == null) {
      return CompletableFuture.completedFuture(AppendOutcome.failed(Errors.LEADER_NOT_AVAILABLE, null));
    }
    return DirectCompletion.of(AskPattern.ask(replica.writer(), request, timeout, system.scheduler()))
        .exceptionally(AppendOutcome::failed);
  }

  /**
   * Whether fetches of this replica count against the node's follower throttle: its topic lists it
   * and it is not in sync. As in Kafka, an in-sync replica is never throttled, so acks=all produces
   * do not wait for the throttle.
   */
  boolean followerThrottled(TopicPartition partition) {
    if (!followerThrottled.contains(partition) || !followerQuota.isLimited()) {
      return false;
    }
    LocalReplica replica = replicas.get(partition);
    return replica != null && !replica.state().isr().contains(metadata.localNodeId());
  }

  ReplicationQuota followerQuota() {
    return followerQuota;
  }

  /**
   * The most a follower's fetch of {@code partition} may get from this leader: {@code maxBytes}, or
   * while the leader's throttle is spent 0 for an out-of-sync follower its topic lists as
   * leader-throttled (an in-sync follower is never held back).
   */
  private int leaderThrottledMaxBytes(TopicPartition partition, int followerId, int maxBytes) {
    if (maxBytes <= 0 || !leaderThrottles(partition, followerId)) {
      return maxBytes;
    }
    return leaderQuota.exceeded(System.currentTimeMillis()) ? 0 : leaderQuota.maxFetchBytes(maxBytes);
  }

  /** Counts what a follower's fetch of {@code partition} got against the leader's throttle. */
  private void leaderSent(TopicPartition partition, int followerId, int bytes) {
    if (bytes > 0 && leaderThrottles(partition, followerId)) {
      leaderQuota.record(bytes, System.currentTimeMillis());
    }
  }

  private boolean leaderThrottles(TopicPartition partition, int followerId) {
    if (!leaderThrottled.contains(partition) || !leaderQuota.isLimited()) {
      return false;
    }
    LocalReplica replica = replicas.get(partition);
    return replica != null && !replica.state().isr().contains(followerId);
  }

  private synchronized void onMetadata(ClusterState state) {
    Map<String, String> brokerConfigs = state.brokerConfigs(metadata.localNodeId());
    followerQuota.rate(BrokerConfigs.rate(brokerConfigs, BrokerConfigs.FOLLOWER_REPLICATION_THROTTLED_RATE));
    leaderQuota.rate(BrokerConfigs.rate(brokerConfigs, BrokerConfigs.LEADER_REPLICATION_THROTTLED_RATE));
    cleaner.ioMaxBytesPerSecond(BrokerConfigs.cleanerIoRate(brokerConfigs, cleaner.config().ioMaxBytesPerSecond()));
    Map<TopicPartition, TopicState> wanted = new HashMap<>();
    for (TopicState topic : state.topics().values()) {
      for (int p = 0; p < topic.partitionCount(); p++) {
        if (topic.partitions().get(p).replicas().contains(metadata.localNodeId())) {
          wanted.put(new TopicPartition(topic.name(), p), topic);
        }
      }
    }
    replicas.forEach((partition, replica) -> {
      TopicState topic = wanted.get(partition);
      if (topic == null || !topic.topicId().equals(replica.topicId())) {
        replicas.remove(partition, replica);
        configs.remove(partition);
        replica.writer().tell(new PartitionReplica.Delete());
        deleting.put(partition, replica.whenClosed());
      }
    });
    expectRecovery(state, wanted.keySet());
    Set<TopicPartition> nowLed = new HashSet<>();
    wanted.forEach((partition, topic) -> {
      if (topic.partitions().get(partition.partition()).leader() == metadata.localNodeId()) {
        nowLed.add(partition);
        if (!led.contains(partition)) {
          leaderRef(partition).tell(PartitionLeader.Wake.INSTANCE);
        }
      }
      LogConfig config = topicConfigs.logConfig(topic.configs());
      LocalReplica existing = replicas.get(partition);
      if (existing == null) {
        start(partition, topic, config);
      } else {
        PartitionState partitionState = topic.partitions().get(partition.partition());
        if (!partitionState.equals(existing.state()) && existing.writer() != null) {
          existing.writer().tell(new PartitionReplica.StateChanged(partitionState));
        }
        if (!config.equals(configs.get(partition)) && existing.writer() != null) {
          existing.writer().tell(new PartitionReplica.UpdateConfig(config));
        }
      }
      configs.put(partition, config);
      markThrottled(followerThrottled, partition, topic.configs().get(TopicConfigs.FOLLOWER_REPLICATION_THROTTLED_REPLICAS));
      markThrottled(leaderThrottled, partition, topic.configs().get(TopicConfigs.LEADER_REPLICATION_THROTTLED_REPLICAS));
      assignFetcher(partition, topic.partitions().get(partition.partition()), state.brokers().keySet());
    });
    fetchers.forEach((leader, fetcher) -> fetcher.retainOnly(wanted.keySet()));
    followerThrottled.retainAll(wanted.keySet());
    leaderThrottled.retainAll(wanted.keySet());
    led.clear();
    led.addAll(nowLed);
  }

  /**
   * On the first metadata with the cluster's state, the local replicas whose logs are already on
   * disk are the ones start-up recovers: announced once, so their progress counts against a total.
   */
  private void expectRecovery(ClusterState state, Set<TopicPartition> wanted) {
    if (state.version() == 0 || progress.recovery().expecting()) {
      return;
    }
    List<TopicPartition> onDisk = wanted.stream()
        .filter(partition -> !replicas.containsKey(partition) && PartitionLog.holdsSegments(partitionDir(partition)))
        .toList();
    progress.recovery().expect(onDisk).ifPresent(log::info);
  }

  private Path partitionDir(TopicPartition partition) {
    return dataDir.resolve(partition.topic() + "-" + partition.partition());
  }

  /** Puts {@code partition} in {@code throttled} if the topic's throttled-replicas list names this node's replica of it. */
  private void markThrottled(Set<TopicPartition> throttled, TopicPartition partition, String throttledReplicas) {
    if (TopicConfigs.listsReplica(throttledReplicas, partition.partition(), metadata.localNodeId())) {
      throttled.add(partition);
    } else {
      throttled.remove(partition);
    }
  }

  /** A follower replica fetches from its live leader; a leader or an offline partition fetches from nobody. */
  private void assignFetcher(TopicPartition partition, PartitionState state, Set<Integer> liveBrokers) {
    int leader = state.leader();
    boolean follows = !stopping && leader != metadata.localNodeId() && leader != PartitionState.NO_LEADER && liveBrokers.contains(leader);
    fetchers.forEach((leaderId, fetcher) -> {
      if (!follows || leaderId != leader) {
        fetcher.unfollow(partition);
      }
    });
    if (follows) {
      // A fetcher thread killed by an Error (logged when it died) is replaced.
      fetchers.values().removeIf(fetcher -> !fetcher.isAlive());
      fetchers.computeIfAbsent(leader, id -> {
        ReplicaFetcher fetcher = new ReplicaFetcher(id, this, system, replication);
        fetcher.paused(replicationPaused);
        fetcher.start();
        return fetcher;
      }).follow(partition, state.leaderEpoch());
    }
  }

  private void start(TopicPartition partition, TopicState topic, LogConfig config) {
    PartitionState state = topic.partitions().get(partition.partition());
    LocalReplica replica = new LocalReplica(partition, topic.topicId(), metadata.localNodeId(), state,
        () -> arrivals.arrived(partition));
    Path dir = partitionDir(partition);
    replicas.put(partition, replica);
    CompletionStage<Void> previous = deleting.remove(partition);
    Runnable spawn = () -> replica.writer(system.systemActorOf(
        PartitionReplica.create(replica, dir, config, arrivals, isrChanges,
            broker -> metadata.current().brokers().containsKey(broker), metadata.localNodeId(), replicaSettings, progress),
        "replica-" + partition + "-" + topic.topicId(),
        DispatcherSelector.fromConfig(LOG_DISPATCHER)));
    if (previous == null) {
      spawn.run();
    } else {
      previous.thenRun(spawn);
    }
  }
}
