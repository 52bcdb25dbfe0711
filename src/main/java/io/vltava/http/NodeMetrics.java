package io.vltava.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vltava.group.CommittedOffset;
import io.vltava.group.GroupCoordinator;
import io.vltava.group.GroupCoordinators;
import io.vltava.kafka.BrokerMetrics;
import io.vltava.metadata.IsrChangeCount;
import io.vltava.metadata.MetadataCache;
import io.vltava.replica.CatchUpProgress;
import io.vltava.replica.LocalReplica;
import io.vltava.replica.ReplicaManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's metrics in one Micrometer registry rendered as Prometheus text. Counters and the latency
 * histogram are updated where events happen (through {@link BrokerMetrics} and {@link #isrChanged});
 * each meter is created on first use of its key and cached, so the hot path only looks it up.
 * Gauges over the node's state (partitions, log sizes, lag, members, controller) are computed when
 * scraped. Thread-safe.
 */
public final class NodeMetrics implements BrokerMetrics {
  private static final Logger log = LoggerFactory.getLogger(NodeMetrics.class);
  private static final List<String> MEMBER_STATUSES =
      List.of("joining", "weakly_up", "up", "leaving", "exiting", "down", "removed", "unreachable");

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ConcurrentHashMap<ApiKeys, ApiMeters> apis = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, TopicMeters> topics = new ConcurrentHashMap<>();
  // Every ISR change is made by the controller, so it counts them all, once: sum over nodes for the cluster.
  private final Counter isrShrinks = Counter.builder("vltava.isr.shrinks")
      .description("ISR shrinks made by the controller while it ran on this node").register(registry);
  private final Counter isrExpands = Counter.builder("vltava.isr.expands")
      .description("ISR expansions made by the controller while it ran on this node").register(registry);
  private volatile Runnable beforeScrape = () -> {};

  private record ApiMeters(Timer latency, ConcurrentHashMap<Errors, Counter> requests) {}

  private record TopicMeters(Counter messagesIn, Counter bytesIn, Counter messagesOut, Counter bytesOut) {}

  public NodeMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
  }

  /** Registers the gauges read from the node's state; called once the node has built it. */
  /** {@code lagTimeout}: how long a scrape waits for the group coordinators' committed offsets. */
  public void watch(ActorSystem<?> system, MetadataCache metadata, ReplicaManager replicas, GroupCoordinators groups, Duration lagTimeout) {
    Gauge.builder("vltava.partitions.under.replicated", () -> PartitionHealth.of(metadata.current(), metadata.localNodeId()).underReplicated())
        .description("Partitions led by this node whose ISR is smaller than their replica set").register(registry);
    Gauge.builder("vltava.partitions.offline", () -> PartitionHealth.of(metadata.current(), metadata.localNodeId()).offline())
        .description("Partitions without a leader (reported by the controller's node)").register(registry);
    Gauge.builder("vltava.controller.active", () -> metadata.controllerId() == metadata.localNodeId() ? 1 : 0)
        .description("1 on the node running the controller").register(registry);
    Gauge.builder("vltava.reassignments.in.progress", () -> PartitionHealth.of(metadata.current(), metadata.localNodeId()).reassigning())
        .description("Partitions being reassigned (reported by the controller's node)").register(registry);
    Gauge.builder("vltava.log.recovery.partitions.remaining", () -> replicas.progress().recovery().snapshot().remaining())
        .description("Partition logs found on disk at start-up that are not open yet").register(registry);
    MultiGauge replicaLagBytes = MultiGauge.builder("vltava.replica.lag.bytes")
        .description("Bytes of the leader's log a follower out of the ISR still has to fetch, reported by the leader").register(registry);
    MultiGauge replicaLagOffsets = MultiGauge.builder("vltava.replica.lag.offsets")
        .description("Offsets a follower out of the ISR is behind the leader's log end, reported by the leader").register(registry);
    MultiGauge logSizes = MultiGauge.builder("vltava.log.size.bytes")
        .description("Bytes of this node's replica of each partition").register(registry);
    MultiGauge lags = MultiGauge.builder("vltava.consumer.group.lag")
        .description("High watermark minus committed offset, for partitions led by this node").register(registry);
    MultiGauge members = MultiGauge.builder("vltava.cluster.members")
        .description("Cluster members as this node sees them, by status").register(registry);
    beforeScrape = () -> {
      List<CatchUpProgress.Follower> catchingUp = replicas.progress().catchUp().followers();
      replicaLagBytes.register(catchingUp.stream().map(f -> MultiGauge.Row.of(followerTags(f), f.bytesBehind())).toList(), true);
      replicaLagOffsets.register(catchingUp.stream().map(f -> MultiGauge.Row.of(followerTags(f), f.offsetsBehind())).toList(), true);
      logSizes.register(replicas.localReplicas().stream()
          .map(r -> MultiGauge.Row.of(Tags.of("topic", r.topicPartition().topic(), "partition", Integer.toString(r.topicPartition().partition())),
              r.sizeBytes()))
          .toList(), true);
      members.register(memberCounts(Cluster.get(system)).entrySet().stream()
          .map(e -> MultiGauge.Row.of(Tags.of("status", e.getKey()), e.getValue()))
          .toList(), true);
      lags.register(consumerLags(replicas, groups, lagTimeout).stream()
          .map(lag -> MultiGauge.Row.of(
              Tags.of("group", lag.group(), "topic", lag.topic(), "partition", Integer.toString(lag.partition())), lag.lag()))
          .toList(), true);
    };
  }

  private static Tags followerTags(CatchUpProgress.Follower follower) {
    return Tags.of("topic", follower.partition().topic(), "partition", Integer.toString(follower.partition().partition()),
        "replica", Integer.toString(follower.replica()));
  }

  /** The Prometheus text of every meter, gauges computed now; one scrape at a time, as they replace the gauges' rows. */
  public synchronized String scrape() {
    beforeScrape.run();
    return registry.scrape();
  }

  @Override
  public void requestCompleted(ApiKeys api, Errors error, long latencyNanos) {
    ApiMeters meters = apis.get(api);
    if (meters == null) {
      meters = apis.computeIfAbsent(api, this::apiMeters);
    }
    meters.latency().record(latencyNanos, TimeUnit.NANOSECONDS);
    Counter requests = meters.requests().get(error);
    if (requests == null) {
      requests = meters.requests().computeIfAbsent(error, e -> Counter.builder("vltava.requests")
          .description("Requests answered, by API and error code").tags("api", api.name, "error", e.name()).register(registry));
    }
    requests.increment();
  }

  @Override
  public void messagesIn(String topic, long messages, long bytes) {
    TopicMeters meters = topicMeters(topic);
    meters.messagesIn().increment(messages);
    meters.bytesIn().increment(bytes);
  }

  @Override
  public void messagesOut(String topic, long messages, long bytes) {
    TopicMeters meters = topicMeters(topic);
    meters.messagesOut().increment(messages);
    meters.bytesOut().increment(bytes);
  }

  /** The traffic counted so far, summed over topics (the console charts its rates). */
  public Throughput throughput() {
    double messagesIn = 0;
    double bytesIn = 0;
    double messagesOut = 0;
    double bytesOut = 0;
    for (TopicMeters meters : topics.values()) {
      messagesIn += meters.messagesIn().count();
      bytesIn += meters.bytesIn().count();
      messagesOut += meters.messagesOut().count();
      bytesOut += meters.bytesOut().count();
    }
    return new Throughput(System.currentTimeMillis(), messagesIn, bytesIn, messagesOut, bytesOut);
  }

  /**
   * ISR changes the controller on this node made (a leader's proposal, a broker leaving or
   * returning, a replica's log going offline, a reassignment); Kafka counts them on the partition's
   * leader, but a leader that left cannot count its own removal.
   */
  public void isrChanged(IsrChangeCount changes) {
    isrShrinks.increment(changes.shrinks());
    isrExpands.increment(changes.expands());
  }

  private ApiMeters apiMeters(ApiKeys api) {
    Timer latency = Timer.builder("vltava.request.latency")
        .description("Time from reading a request to its response being ready, by API")
        .tag("api", api.name)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(60))
        .register(registry);
    return new ApiMeters(latency, new ConcurrentHashMap<>());
  }

  private TopicMeters topicMeters(String topic) {
    TopicMeters meters = topics.get(topic);
    if (meters != null) {
      return meters;
    }
    return topics.computeIfAbsent(topic, t -> new TopicMeters(
        Counter.builder("vltava.messages.in").description("Records appended as leader").tag("topic", t).register(registry),
        Counter.builder("vltava.bytes.in").description("Record batch bytes appended as leader").tag("topic", t).register(registry),
        Counter.builder("vltava.messages.out").description("Records in the batches sent to consumers").tag("topic", t).register(registry),
        Counter.builder("vltava.bytes.out").description("Record bytes sent to consumers").tag("topic", t).register(registry)));
  }

  private static Map<String, Integer> memberCounts(Cluster cluster) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    MEMBER_STATUSES.forEach(status -> counts.put(status, 0));
    Set<Member> unreachable = cluster.state().getUnreachable();
    for (Member member : cluster.state().getMembers()) {
      counts.merge(MemberStatus.of(member, unreachable), 1, Integer::sum);
    }
    return counts;
  }

  /** Lags of every group in the partitions this node leads; a group that does not answer in time is left out. */
  private static List<ConsumerLag> consumerLags(ReplicaManager replicas, GroupCoordinators groups, Duration lagTimeout) {
    try {
      Set<String> groupIds = groups.knownGroupIds().toCompletableFuture().get(lagTimeout.toMillis(), TimeUnit.MILLISECONDS);
      Map<String, CompletableFuture<GroupCoordinator.FetchedOffsets>> fetched = new LinkedHashMap<>();
      for (String group : groupIds) {
        fetched.put(group, groups.<GroupCoordinator.FetchedOffsets>ask(group, replyTo -> new GroupCoordinator.FetchOffsets(null, replyTo), lagTimeout));
      }
      List<ConsumerLag> lags = new ArrayList<>();
      for (Map.Entry<String, CompletableFuture<GroupCoordinator.FetchedOffsets>> entry : fetched.entrySet()) {
        try {
          List<CommittedOffset> offsets = entry.getValue().get(lagTimeout.toMillis(), TimeUnit.MILLISECONDS).offsets();
          lags.addAll(ConsumerLag.of(entry.getKey(), offsets, partition -> leaderHighWatermark(replicas, partition)));
        } catch (Exception e) {
          log.debug("No committed offsets of group {} for its lag: {}", entry.getKey(), e.toString());
        }
      }
      return lags;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    } catch (Exception e) {
      log.debug("No consumer groups for lag: {}", e.toString());
      return List.of();
    }
  }

  private static OptionalLong leaderHighWatermark(ReplicaManager replicas, TopicPartition partition) {
    return replicas.replica(partition).filter(LocalReplica::isLeader)
        .map(r -> OptionalLong.of(r.highWatermark())).orElse(OptionalLong.empty());
  }
}
