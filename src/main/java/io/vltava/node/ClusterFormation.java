package io.vltava.node;

import io.vltava.metadata.CborSerializable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Brings this node into its cluster instead of Pekko's seed-node join (whose first seed forms a new
 * cluster whenever it reaches no other seed). Until the node is a member, it asks its seeds and the
 * nodes its data directory remembers every {@link #PROBE_INTERVAL} for their cluster id, membership
 * and whom they support to re-form the cluster, and acts on {@link FormationRules}: join a member,
 * form, wait, or refuse. It answers the same question from other nodes all along. Once a member it
 * records the cluster in {@code meta.properties} and completes {@code membership} with the cluster
 * id; a node that re-formed a known cluster does so only once a majority of the cluster's nodes have
 * joined it, and gives up (fails {@code membership}) if they do not within {@link #REFORMED_GRACE}.
 * With a {@link KubernetesPodDiscovery}, the pods it lists are asked too, and the lowest of them
 * stands in for the first seed ({@link FormationRules#firstDiscovered}).
 * Runs on the blocking dispatcher (it writes that file).
 *
 * <p>Timing keeps the support sound: an answer counts only within {@link #ANSWER_MAX_AGE} of the
 * probe it answers (on the prober's clock, so a pause of the prober counts too), and a node supports
 * another only {@link #SUPPORT_HOLD} after it last told a node of its support (or after its start),
 * longer than an answer counts plus the grace of a re-formed cluster that did not get its majority.
 */
final class ClusterFormation {
  static final String NAME = "cluster-formation";
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ClusterFormation.class);
  /**
   * Forming is acted on only after this many probe rounds in a row decided it: a first contact's
   * handshake can take longer than a round, and a cluster formed by mistake never merges back.
   */
  private static final int FORM_AFTER_ROUNDS = 3;
  private static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);
  /** Pekko retries a join itself; after this long without a welcome, the member may be gone, so ask again. */
  private static final Duration JOIN_PATIENCE = Duration.ofSeconds(10);
  private static final Duration ANSWER_MAX_AGE = PROBE_INTERVAL.multipliedBy(2);
  private static final Duration REFORMED_GRACE = Duration.ofSeconds(6);
  private static final Duration SUPPORT_HOLD = ANSWER_MAX_AGE.plus(REFORMED_GRACE).plusSeconds(2);

  sealed interface Command {}

  /** From node {@code node}: what is your cluster, are you in it, and whom do you support? {@code sentNanos} is on its clock. */
  record Probe(String node, long sentNanos, ActorRef<Answer> replyTo) implements Command, CborSerializable {}

  /**
   * {@code clusterId} is "" for a node that has never belonged to a cluster, {@code supports} "" when
   * it supports no one; {@code probeSentNanos} echoes the probe's.
   */
  record Answer(String node, String clusterId, boolean member, boolean reachesQuorum, String supports, long probeSentNanos)
      implements Command, CborSerializable {}

  private record Tick() implements Command {}

  private record BecameUp() implements Command {}

  private record MemberJoined(ClusterEvent.MemberUp event) implements Command {}

  /** A discovery lookup's outcome: the endpoints found, or why there are none. */
  private record Discovered(List<String> endpoints, Optional<Throwable> failure) implements Command {}

  private final ActorContext<Command> context;
  private final NodeSettings.ClusterSettings settings;
  private final int nodeId;
  private final Path dataDir;
  private final CompletableFuture<String> membership;
  private final Optional<KubernetesPodDiscovery> discovery;
  /** What the last successful lookup found; nothing without discovery. */
  private List<String> discovered = List.of();
  private boolean lookingUp;
  private long nextLookupNanos = System.nanoTime();
  private String lastDiscoveryProblem = "";
  private final Cluster cluster;
  private final String self;
  private final boolean holdsPartitionData;
  private Optional<ClusterMeta> meta;
  private Optional<String> clusterId;
  private Map<String, Answer> answers = new HashMap<>();
  private boolean probed;
  private long joinDeadlineNanos;
  private String lastWaitReason = "";
  private int formDecisions;
  private Optional<String> supports = Optional.empty();
  private boolean reachesQuorum;
  /** Whom this node last told of its support, and when; a node that just started may have told anyone. */
  private String promisedTo = FormationRules.ANY_NODE;
  private long promisedAtNanos = System.nanoTime();
  private boolean reformed;
  private long reformedDeadlineNanos;

  private ClusterFormation(ActorContext<Command> context, NodeSettings.ClusterSettings settings, int nodeId, Path dataDir,
      Optional<ClusterMeta> meta, boolean holdsPartitionData, Optional<KubernetesPodDiscovery> discovery,
      CompletableFuture<String> membership) {
    this.context = context;
    this.discovery = discovery;
    this.holdsPartitionData = holdsPartitionData;
    this.settings = settings;
    this.nodeId = nodeId;
    this.dataDir = dataDir;
    this.meta = meta;
    this.clusterId = meta.map(ClusterMeta::clusterId);
    this.membership = membership;
    this.cluster = Cluster.get(context.getSystem());
    this.self = hostPort(cluster.selfMember().address());
  }

  /**
   * {@code holdsPartitionData}: the data directory has partition logs (see {@link ClusterMeta#holdsPartitionData});
   * {@code discovery}: where to look for nodes besides the seeds, if anywhere.
   */
  static Behavior<Command> create(NodeSettings.ClusterSettings settings, int nodeId, Path dataDir, Optional<ClusterMeta> meta,
      boolean holdsPartitionData, Optional<KubernetesPodDiscovery> discovery, CompletableFuture<String> membership) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      ClusterFormation formation = new ClusterFormation(context, settings, nodeId, dataDir, meta, holdsPartitionData, discovery,
          membership);
      Cluster.get(context.getSystem()).subscriptions().tell(
          Subscribe.create(context.messageAdapter(SelfUp.class, up -> new BecameUp()), SelfUp.class));
      timers.startTimerWithFixedDelay(new Tick(), Duration.ZERO, PROBE_INTERVAL);
      return formation.joining(timers);
    }));
  }

  private Behavior<Command> joining(TimerScheduler<Command> timers) {
    return Behaviors.receive(Command.class)
        .onMessage(Probe.class, probe -> answer(probe, false))
        .onMessage(Answer.class, answer -> {
          answers.put(answer.node(), answer);
          return Behaviors.same();
        })
        .onMessage(Discovered.class, this::onDiscovered)
        .onMessage(Tick.class, tick -> {
          discover();
          List<FormationRules.Peer> heard = peersHeard();
          FormationRules.Self me = new FormationRules.Self(self, clusterId, formsNewCluster(), settings.quorum(),
              holdsPartitionData, supports);
          reachesQuorum = FormationRules.reachesQuorum(me, heard);
          supports = FormationRules.support(me, heard, promise());
          // A node with no one to ask (no seeds, nothing remembered) decides at once.
          if ((probed || peers().isEmpty()) && System.nanoTime() > joinDeadlineNanos) {
            act(FormationRules.decide(me.supporting(supports), heard));
          }
          if (membership.isDone()) {
            return Behaviors.stopped();
          }
          answers = new HashMap<>();
          probe();
          return Behaviors.same();
        })
        .onMessage(BecameUp.class, up -> {
          if (reformed && runningMembers() < settings.quorum()) {
            return awaitingMajority(timers);
          }
          timers.cancelAll();
          return becomeMember();
        })
        .build();
  }

  /**
   * Re-formed, and a member of a cluster of one so far: serves no one until a majority of the
   * cluster's nodes have joined (a cluster formed on support that then lost its majority must not
   * live on while the others re-form it); gives up if they have not within {@link #REFORMED_GRACE}.
   */
  private Behavior<Command> awaitingMajority(TimerScheduler<Command> timers) {
    return Behaviors.receive(Command.class)
        .onMessage(Probe.class, probe -> answer(probe, isMember()))
        .onMessage(Tick.class, tick -> {
          int running = runningMembers();
          if (running >= settings.quorum()) {
            timers.cancelAll();
            return becomeMember();
          }
          if (System.nanoTime() > reformedDeadlineNanos) {
            String reason = "re-formed cluster " + clusterId.orElseThrow() + " but only " + running + " of the " + settings.quorum()
                + " nodes it needs joined within " + REFORMED_GRACE.toSeconds() + " s; giving up so that it can form again";
            log.error("Giving up: {}", reason);
            membership.completeExceptionally(new IllegalStateException(reason));
            return Behaviors.stopped();
          }
          return Behaviors.same();
        })
        .onAnyMessage(other -> Behaviors.same())
        .build();
  }

  private Behavior<Command> member() {
    return Behaviors.receive(Command.class)
        .onMessage(Probe.class, probe -> answer(probe, isMember()))
        .onMessage(MemberJoined.class, joined -> {
          record(List.of(hostPort(joined.event().member().address())));
          return Behaviors.same();
        })
        .onAnyMessage(other -> Behaviors.same())
        .build();
  }

  private Behavior<Command> becomeMember() {
    String id = clusterId.orElseThrow();
    supports = Optional.empty();
    List<String> nodes = new ArrayList<>();
    cluster.state().getMembers().forEach(m -> nodes.add(hostPort(m.address())));
    record(nodes);
    log.info("Member of cluster {} as {}", id, self);
    membership.complete(id);
    cluster.subscriptions().tell(Subscribe.create(
        context.messageAdapter(ClusterEvent.MemberUp.class, MemberJoined::new), ClusterEvent.MemberUp.class));
    return member();
  }

  private Behavior<Command> answer(Probe probe, boolean member) {
    if (supports.isPresent() && supports.get().equals(probe.node())) {
      promisedTo = probe.node();
      promisedAtNanos = System.nanoTime();
    }
    probe.replyTo().tell(new Answer(self, clusterId.orElse(""), member, reachesQuorum, supports.orElse(""), probe.sentNanos()));
    return Behaviors.same();
  }

  /** The node this one may still count on its support, if the promise has not lapsed. */
  private Optional<String> promise() {
    return System.nanoTime() - promisedAtNanos < SUPPORT_HOLD.toNanos() ? Optional.of(promisedTo) : Optional.empty();
  }

  private void act(FormationRules.Decision decision) {
    if (!(decision instanceof FormationRules.Form)) {
      formDecisions = 0;
    }
    if (decision instanceof FormationRules.JoinMember join) {
      log.info("Joining cluster {} through {}", join.clusterId(), join.member());
      clusterId = Optional.of(join.clusterId());
      cluster.manager().tell(Join.create(address(join.member())));
      joinDeadlineNanos = System.nanoTime() + JOIN_PATIENCE.toNanos();
    } else if (decision instanceof FormationRules.Form form) {
      if (!peers().isEmpty() && ++formDecisions < FORM_AFTER_ROUNDS) {
        return;
      }
      clusterId = Optional.of(form.clusterId().orElseGet(() -> Uuid.randomUuid().toString()));
      log.info("Forming cluster {} {}", clusterId.get(),
          form.clusterId().isPresent() ? "again, supported by a majority of its nodes" : "(new)");
      reformed = form.clusterId().isPresent();
      reformedDeadlineNanos = System.nanoTime() + REFORMED_GRACE.toNanos();
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      joinDeadlineNanos = System.nanoTime() + JOIN_PATIENCE.toNanos();
    } else if (decision instanceof FormationRules.Wait wait) {
      if (!wait.reason().equals(lastWaitReason)) {
        log.info("Not joining yet: {}", wait.reason());
        lastWaitReason = wait.reason();
      }
    } else if (decision instanceof FormationRules.Refuse refuse) {
      log.error("Refusing to join: {}", refuse.reason());
      membership.completeExceptionally(new MembershipRefusedException(refuse.reason()));
    }
  }

  private void probe() {
    ActorRef<Answer> replyTo = context.getSelf().narrow();
    Probe probe = new Probe(self, System.nanoTime(), replyTo);
    for (String peer : peers()) {
      Adapter.toClassic(context.getSystem())
          .actorSelection("pekko://" + context.getSystem().name() + "@" + peer + "/system/" + NAME)
          .tell(probe, org.apache.pekko.actor.ActorRef.noSender());
    }
    probed = true;
  }

  /** The first seed, or with discovery the lowest of all the cluster's discovered nodes. */
  private boolean formsNewCluster() {
    return settings.isFirstSeed() || (discovery.isPresent() && FormationRules.firstDiscovered(self, discovered, settings.size()));
  }

  private void discover() {
    if (discovery.isEmpty() || lookingUp || System.nanoTime() < nextLookupNanos) {
      return;
    }
    lookingUp = true;
    context.pipeToSelf(discovery.get().lookup(),
        (endpoints, failure) -> new Discovered(endpoints == null ? List.of() : endpoints, Optional.ofNullable(failure)));
  }

  private Behavior<Command> onDiscovered(Discovered outcome) {
    lookingUp = false;
    nextLookupNanos = System.nanoTime() + settings.discovery().kubernetesApi().orElseThrow().lookupInterval().toNanos();
    String problem = outcome.failure().map(f -> "Kubernetes pod discovery failed: " + f).orElse("");
    if (!problem.isEmpty() && !problem.equals(lastDiscoveryProblem)) {
      log.warn("{}; trying again", problem);
    }
    lastDiscoveryProblem = problem;
    if (outcome.failure().isEmpty()) {
      if (!outcome.endpoints().equals(discovered)) {
        log.info("Discovered nodes {}", outcome.endpoints());
      }
      discovered = outcome.endpoints();
    }
    return Behaviors.same();
  }

  /** The seeds, the discovered nodes and the nodes the data directory remembers, without this node. */
  private TreeSet<String> peers() {
    TreeSet<String> peers = new TreeSet<>(settings.seeds());
    peers.addAll(discovered);
    meta.ifPresent(m -> peers.addAll(m.knownNodes()));
    peers.remove(self);
    return peers;
  }

  /** The answers to probes sent within {@link #ANSWER_MAX_AGE}; older ones may carry support since withdrawn. */
  private List<FormationRules.Peer> peersHeard() {
    long oldestNanos = System.nanoTime() - ANSWER_MAX_AGE.toNanos();
    return answers.values().stream()
        .filter(a -> !a.node().equals(self) && a.probeSentNanos() - oldestNanos >= 0)
        .map(a -> new FormationRules.Peer(a.node(), nonEmpty(a.clusterId()), a.member(), a.reachesQuorum(), nonEmpty(a.supports())))
        .toList();
  }

  private static Optional<String> nonEmpty(String value) {
    return value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  /** Members that count for the quorum, as the downing provider counts them: joining ones too. */
  private int runningMembers() {
    int running = 0;
    for (org.apache.pekko.cluster.Member member : cluster.state().getMembers()) {
      MemberStatus status = member.status();
      if (status == MemberStatus.joining() || status == MemberStatus.weaklyUp() || status == MemberStatus.up()) {
        running++;
      }
    }
    return running;
  }

  private boolean isMember() {
    MemberStatus status = cluster.selfMember().status();
    return status == MemberStatus.up() || status == MemberStatus.weaklyUp();
  }

  /**
   * Adds the other nodes among {@code nodes} to meta.properties (never this one: with cluster port 0
   * its address changes at each start); a failed write is logged and retried with the next change.
   */
  private void record(List<String> nodes) {
    List<String> others = nodes.stream().filter(node -> !node.equals(self)).toList();
    ClusterMeta next = meta.map(m -> m.withKnownNodes(others))
        .orElseGet(() -> new ClusterMeta(clusterId.orElseThrow(), nodeId, new TreeSet<>(others)));
    if (meta.isPresent() && next.equals(meta.get())) {
      return;
    }
    try {
      next.write(dataDir);
      meta = Optional.of(next);
    } catch (IOException e) {
      log.error("Could not record the cluster in {}", dataDir.resolve(ClusterMeta.FILE_NAME), e);
    }
  }

  private Address address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new Address("pekko", context.getSystem().name(), hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private static String hostPort(Address address) {
    return address.host().get() + ":" + address.port().get();
  }
}
