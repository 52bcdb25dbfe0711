package io.vltava.controller;

import io.vltava.metadata.AclEntry;
import io.vltava.metadata.AclFilter;
import io.vltava.metadata.BrokerConfigs;
import io.vltava.metadata.BrokerInfo;
import io.vltava.metadata.CborSerializable;
import io.vltava.metadata.ClientQuotas;
import io.vltava.metadata.ClusterState;
import io.vltava.metadata.IsrChangeCount;
import io.vltava.metadata.LeaderElection;
import io.vltava.metadata.MetadataCache;
import io.vltava.metadata.PartitionReassignment;
import io.vltava.metadata.ReplicationFactorRaise;
import io.vltava.metadata.RequestedElections;
import io.vltava.metadata.ScramCredentials;
import io.vltava.metadata.TopicState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.LWWRegisterKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * The one actor that changes cluster metadata (a cluster singleton on the {@code controller} role):
 * topics, their partitions, leaders and ISRs, configs, and the live brokers. Each change is validated
 * against the current state and written to Distributed Data with WriteMajority (durable on disk)
 * before anyone is told, so no node acts on a change that could be lost. A new controller first
 * reads the state with ReadMajority and bumps the controller epoch. Changes are written one at a
 * time; commands that arrive meanwhile wait in the stash. ISR changes are written in batches: each
 * write ships the whole state, and after a broker restart every partition it holds asks at once.
 */
public final class Controller {

  public static final Key<LWWRegister<ClusterState>> STATE_KEY = LWWRegisterKey.create("cluster-metadata");

  /** The state's own version orders writes, so the newest controller's write always wins. */
  public static final LWWRegister.Clock<ClusterState> VERSION_CLOCK = (current, state) -> state.version();

  public sealed interface Command extends CborSerializable {}

  /** {@code partitions} or {@code replicationFactor} of -1 take the broker defaults. */
  public record NewTopic(String name, int partitions, int replicationFactor, Map<String, String> configs) {}

  public record CreateTopics(List<NewTopic> topics, boolean validateOnly, ActorRef<TopicOutcomes> replyTo) implements Command {}

  public record DeleteTopics(List<String> names, ActorRef<TopicOutcomes> replyTo) implements Command {}

  public record PartitionCount(String topic, int count) {}

  public record CreatePartitions(List<PartitionCount> topics, boolean validateOnly, ActorRef<TopicOutcomes> replyTo)
      implements Command {}

  /** Sets (value present) or removes (value empty) config overrides; {@code replaceAll} drops every other override first. */
  public record ConfigChange(String topic, Map<String, Optional<String>> changes, boolean replaceAll) {}

  public record AlterTopicConfigs(List<ConfigChange> changes, boolean validateOnly, ActorRef<TopicOutcomes> replyTo)
      implements Command {}

  /** Records a broker's endpoints; replies once the change is stored. */
  public record RegisterBroker(BrokerInfo broker, ActorRef<Done> replyTo) implements Command {}

  /** A partition leader's request to change its ISR from state {@code base}; replies with the partition's state after it, or an error. */
  public record AlterIsr(String topic, int partition, io.vltava.metadata.PartitionState base, List<Integer> isr, ActorRef<IsrChanged> replyTo)
      implements Command {}

  public record IsrChanged(short errorCode, io.vltava.metadata.PartitionState partition) implements CborSerializable {}

  /**
   * A broker's report that its replica of a partition went offline (its log failed: a full or
   * broken disk) or is back ({@code online}); replies with the partition's state after it.
   */
  public record ReplicaStatus(String topic, int partition, int nodeId, boolean online, ActorRef<IsrChanged> replyTo)
      implements Command {}

  /** An operator's leader elections (ElectLeaders) for {@code partitions}, or for every partition if {@code allPartitions}. */
  public record ElectLeaders(
      RequestedElections.Type type, boolean allPartitions, List<RequestedElections.PartitionId> partitions,
      ActorRef<LeadersElected> replyTo) implements Command {}

  /** One outcome per partition, and the metadata version that holds the new leaders. */
  public record LeadersElected(List<RequestedElections.Outcome> outcomes, long stateVersion) implements CborSerializable {}

  /**
   * Broker {@code nodeId} is stopping in order (Kafka's controlled shutdown): its partitions get new
   * leaders and it leaves their ISRs now, as for a lost broker, instead of once it has left the
   * cluster, so that clients and acks=all produces move on while it drains. Replies with the version
   * of the state that holds this.
   */
  public record BrokerStopping(int nodeId, ActorRef<Long> replyTo) implements Command {}

  /** Reserves {@code count} producer ids; replies with the first. */
  public record AllocateProducerIds(int count, ActorRef<Long> replyTo) implements Command {}

  /** Moves a partition to the {@code target} replicas, or cancels its move when {@code target} is null (as Kafka's request does). */
  public record PartitionMove(String topic, int partition, List<Integer> target) {}

  /** {@code allowReplicationFactorChange} false refuses moves whose target has another size than the original replicas (KIP-860). */
  public record AlterPartitionReassignments(List<PartitionMove> moves, boolean allowReplicationFactorChange, ActorRef<Outcomes> replyTo)
      implements Command {}

  /** A user's SCRAM credential for one mechanism set ({@code credential} present) or deleted (empty). */
  public record ScramCredentialChange(String user, String mechanism, Optional<ScramCredentials.Stored> credential) {}

  /** Applies each change in turn (AlterUserScramCredentials); replies per change. */
  public record AlterScramCredentials(List<ScramCredentialChange> changes, ActorRef<Outcomes> replyTo) implements Command {}

  /** Replies with the version of the latest stored state: a node whose metadata has reached it reads what the controller knows. */
  public record GetStateVersion(ActorRef<Long> replyTo) implements Command {}

  /** Sets (value present) or removes (value empty) a broker's dynamic configs; {@code replaceAll} drops every other override first. */
  public record BrokerConfigChange(int nodeId, Map<String, Optional<String>> changes, boolean replaceAll) {}

  public record AlterBrokerConfigs(List<BrokerConfigChange> changes, boolean validateOnly, ActorRef<Outcomes> replyTo) implements Command {}

  /** Adds ACLs (each already validated); answers per ACL. */
  public record CreateAcls(List<AclEntry> acls, ActorRef<Outcomes> replyTo) implements Command {}

  /** Removes every ACL that matches any of the filters; answers with what each filter matched. */
  public record DeleteAcls(List<AclFilter> filters, ActorRef<AclsDeleted> replyTo) implements Command {}

  /** The ACLs each filter of a DeleteAcls matched (and removed), or the error that kept them all. */
  public record AclsDeleted(List<List<AclEntry>> deleted, Outcome outcome, long stateVersion)
      implements CborSerializable {}

  /** Sets (value present) or removes (value empty) quotas of one client-quota entity (a null component is not part of it). */
  public record QuotaChange(String user, String clientId, Map<String, Optional<Double>> changes) {}

  public record AlterClientQuotas(List<QuotaChange> changes, boolean validateOnly, ActorRef<Outcomes> replyTo) implements Command {}

  /** One item's answer: NONE or the Kafka error and why. */
  public record Outcome(short errorCode, String errorMessage) implements CborSerializable {
    static final Outcome OK = new Outcome(org.apache.kafka.common.protocol.Errors.NONE.code(), null);

    static Outcome failed(RuntimeException cause) {
      return new Outcome(org.apache.kafka.common.protocol.Errors.forException(cause).code(), cause.getMessage());
    }
  }

  /** The answers for a request's items in request order, and the metadata version that holds them. */
  public record Outcomes(List<Outcome> outcomes, long stateVersion) implements CborSerializable {}

  /** The answers for a request's topics, and the metadata version that holds them. */
  public record TopicOutcomes(List<TopicOutcome> outcomes, long stateVersion) implements CborSerializable {}

  private record StateRead(Replicator.GetResponse<LWWRegister<ClusterState>> response) implements Command {}

  private record StateWritten(Replicator.UpdateResponse<LWWRegister<ClusterState>> response) implements Command {}

  private record MemberRemoved(String address) implements Command {}

  /** Writes the ISR changes gathered since the last batch (sent to self by the first of them). */
  private enum WriteIsrBatch implements Command { INSTANCE }

  /**
   * What the controller needs besides its state: defaults, the topic-config rules (the configs'
   * own validation, and {@code configChangeRule} for a change of an existing topic's configs), the
   * replication factor each internal topic is raised to as brokers join ({@code internalTopics}),
   * and where to report the ISR changes it makes ({@code isrChanged}: every change, whichever path
   * made it, once, on the node whose controller made it).
   */
  public record Settings(
      String clusterId,
      int nodeId,
      int defaultPartitions,
      int defaultReplicationFactor,
      Consumer<Map<String, String>> topicConfigValidator,
      ConfigChangeRule configChangeRule,
      LeaderElection.UncleanPolicy uncleanPolicy,
      boolean autoLeaderRebalance,
      Duration consistencyTimeout,
      Map<String, Integer> internalTopics,
      Consumer<IsrChangeCount> isrChanged,
      ScramCredentials bootstrapScramCredentials) {}

  /** A check of a change of one existing topic's configs (overrides before and after); throws to refuse it. */
  @FunctionalInterface
  public interface ConfigChangeRule {
    void check(String topic, Map<String, String> before, Map<String, String> after);
  }

  /**
   * Kafka's bound on the metadata records one admin request may produce (a record per topic, per
   * new partition and per config); beyond it the request is refused whole with POLICY_VIOLATION.
   */
  private static final int MAX_RECORDS_PER_REQUEST = 10_000;

  private final ActorContext<Command> context;
  private final StashBuffer<Command> stash;
  private final ReplicatorMessageAdapter<Command, LWWRegister<ClusterState>> replicator;
  private final SelfUniqueAddress self;
  private final Settings settings;
  private final MetadataCache cache;
  private ClusterState state = ClusterState.empty();
  /** ISR changes waiting for the next {@link WriteIsrBatch}, in arrival order. */
  private final List<AlterIsr> pendingIsrChanges = new ArrayList<>();

  public static Behavior<Command> create(Settings settings, MetadataCache cache) {
    // Room for an ISR change and a replica report from each of tens of thousands of partitions.
    return Behaviors.setup(context -> Behaviors.withStash(100_000, stash ->
        DistributedData.<Command, LWWRegister<ClusterState>>withReplicatorMessageAdapter(replicator ->
            new Controller(context, stash, replicator, settings, cache).takeOver())));
  }

  private Controller(
      ActorContext<Command> context, StashBuffer<Command> stash,
      ReplicatorMessageAdapter<Command, LWWRegister<ClusterState>> replicator, Settings settings, MetadataCache cache) {
    this.context = context;
    this.stash = stash;
    this.replicator = replicator;
    this.self = DistributedData.get(context.getSystem()).selfUniqueAddress();
    this.settings = settings;
    this.cache = cache;
  }

  /** Reads the latest state from a majority, then claims it with a higher controller epoch. */
  private Behavior<Command> takeOver() {
    replicator.askGet(
        replyTo -> new Replicator.Get<>(STATE_KEY, new Replicator.ReadMajority(settings.consistencyTimeout()), replyTo),
        StateRead::new);
    return Behaviors.receive(Command.class)
        .onMessage(StateRead.class, read -> {
          ClusterState stored;
          if (read.response() instanceof Replicator.GetSuccess<LWWRegister<ClusterState>> success) {
            stored = success.get(STATE_KEY).getValue();
          } else if (read.response() instanceof Replicator.NotFound<LWWRegister<ClusterState>>) {
            stored = ClusterState.initial(settings.clusterId());
          } else {
            context.getLog().warn("Reading cluster metadata from a majority failed; retrying");
            return takeOver();
          }
          // Brokers that left while no controller watched may have been all that held a move back.
          ClusterState claimed = withScramBootstrapped(withInternalTopicsRaised(
              PartitionReassignment.completeReady(withoutDepartedBrokers(stored.withNewController(settings.nodeId())))));
          context.getLog().info("Controller on node {} taking over at epoch {} (metadata version {})",
              settings.nodeId(), claimed.controllerEpoch(), claimed.version());
          Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(
              context.messageAdapter(ClusterEvent.MemberRemoved.class, removed -> new MemberRemoved(removed.member().address().toString())),
              ClusterEvent.MemberRemoved.class));
          // Changes made while claiming (brokers that left meanwhile) are counted against the stored state.
          state = stored;
          return write(claimed, () -> {}, this::takeOver);
        })
        .onAnyMessage(this::stashed)
        .build();
  }

  private Behavior<Command> ready() {
    return Behaviors.receive(Command.class)
        .onMessage(AlterIsr.class, this::onAlterIsr)
        .onMessage(WriteIsrBatch.class, m -> writeIsrBatch())
        .onMessage(ReplicaStatus.class, this::onReplicaStatus)
        .onMessage(RegisterBroker.class, m -> {
          ClusterState next = withInternalTopicsRaised(
              LeaderElection.onBrokerRegistered(state.withBroker(m.broker()), m.broker().nodeId(), settings.uncleanPolicy()));
          return write(next, () -> m.replyTo().tell(Done.getInstance()), this::ready);
        })
        .onMessage(MemberRemoved.class, m -> brokerAt(m.address())
            .map(nodeId -> {
              context.getLog().info("Broker {} left the cluster; electing new leaders for its partitions", nodeId);
              return write(PartitionReassignment.completeReady(LeaderElection.onBrokerLost(state, nodeId, settings.uncleanPolicy())),
                  () -> {}, this::ready);
            })
            .orElse(Behaviors.same()))
        .onMessage(BrokerStopping.class, m -> {
          context.getLog().info("Broker {} is stopping; electing new leaders for its partitions", m.nodeId());
          ClusterState next = PartitionReassignment.completeReady(LeaderElection.onBrokerLost(state, m.nodeId(), settings.uncleanPolicy()));
          return write(next, () -> m.replyTo().tell(next.version()), this::ready);
        })
        .onMessage(AllocateProducerIds.class, m -> {
          long first = state.nextProducerId();
          return write(state.withProducerIdsAllocated(m.count()), () -> m.replyTo().tell(first), this::ready);
        })
        .onMessage(ElectLeaders.class, this::onElectLeaders)
        .onMessage(CreateTopics.class, this::onCreateTopics)
        .onMessage(DeleteTopics.class, this::onDeleteTopics)
        .onMessage(CreatePartitions.class, this::onCreatePartitions)
        .onMessage(AlterTopicConfigs.class, this::onAlterTopicConfigs)
        .onMessage(AlterPartitionReassignments.class, this::onAlterPartitionReassignments)
        .onMessage(AlterBrokerConfigs.class, this::onAlterBrokerConfigs)
        .onMessage(AlterScramCredentials.class, this::onAlterScramCredentials)
        .onMessage(CreateAcls.class, m -> applyInTurn(m.acls(), false, m.replyTo(), (next, acl) -> {
          Set<AclEntry> acls = new HashSet<>(next.acls());
          acls.add(acl);
          return next.withAcls(acls);
        }))
        .onMessage(DeleteAcls.class, this::onDeleteAcls)
        .onMessage(AlterClientQuotas.class, m -> applyInTurn(m.changes(), m.validateOnly(), m.replyTo(), (next, change) ->
            next.withClientQuotas(ClientQuotas.withChanges(next.clientQuotas(), change.user(), change.clientId(), change.changes()))))
        .onMessage(GetStateVersion.class, m -> {
          m.replyTo().tell(state.version());
          return Behaviors.same();
        })
        .build();
  }

  private Behavior<Command> onAlterIsr(AlterIsr request) {
    if (pendingIsrChanges.isEmpty()) {
      // Behind the changes already queued (stashed or in the mailbox), which join this batch.
      context.getSelf().tell(WriteIsrBatch.INSTANCE);
    }
    pendingIsrChanges.add(request);
    return Behaviors.same();
  }

  /** Applies the pending ISR changes in order (a refused one changes nothing) and stores them as one new state. */
  private Behavior<Command> writeIsrBatch() {
    List<AlterIsr> batch = List.copyOf(pendingIsrChanges);
    pendingIsrChanges.clear();
    ClusterState next = state;
    List<AlterIsr> applied = new ArrayList<>();
    for (AlterIsr request : batch) {
      try {
        next = LeaderElection.changeIsr(next, request.topic(), request.partition(), request.base(), request.isr());
        applied.add(request);
      } catch (RuntimeException e) {
        request.replyTo().tell(new IsrChanged(org.apache.kafka.common.protocol.Errors.forException(e).code(), null));
      }
    }
    if (applied.isEmpty()) {
      return Behaviors.same();
    }
    next = PartitionReassignment.completeReady(next);
    if (settings.autoLeaderRebalance()) {
      next = LeaderElection.restorePreferredLeaders(next);
    }
    // A completed move may have held back an internal topic's raise.
    ClusterState changed = withInternalTopicsRaised(next);
    return write(changed, () -> applied.forEach(request -> request.replyTo().tell(new IsrChanged((short) 0,
        changed.topic(request.topic()).orElseThrow().partitions().get(request.partition())))), this::ready);
  }

  private Behavior<Command> onReplicaStatus(ReplicaStatus report) {
    ClusterState next;
    try {
      next = report.online()
          ? LeaderElection.onReplicaOnline(state, report.topic(), report.partition(), report.nodeId(), settings.uncleanPolicy())
          : LeaderElection.onReplicaOffline(state, report.topic(), report.partition(), report.nodeId(), settings.uncleanPolicy());
    } catch (RuntimeException e) {
      report.replyTo().tell(new IsrChanged(org.apache.kafka.common.protocol.Errors.forException(e).code(), null));
      return Behaviors.same();
    }
    if (next == state) {
      report.replyTo().tell(new IsrChanged((short) 0, state.topic(report.topic()).orElseThrow().partitions().get(report.partition())));
      return Behaviors.same();
    }
    context.getLog().info("Broker {} reports its replica of {}-{} {}: {}", report.nodeId(), report.topic(), report.partition(),
        report.online() ? "back online" : "offline", next.topic(report.topic()).orElseThrow().partitions().get(report.partition()));
    ClusterState changed = next;
    return write(next, () -> report.replyTo().tell(new IsrChanged((short) 0,
        changed.topic(report.topic()).orElseThrow().partitions().get(report.partition()))), this::ready);
  }

  private Behavior<Command> onElectLeaders(ElectLeaders request) {
    RequestedElections.Result result = RequestedElections.elect(
        state, request.type(), request.allPartitions() ? Optional.empty() : Optional.of(request.partitions()));
    if (result.state() == state) {
      request.replyTo().tell(new LeadersElected(result.outcomes(), state.version()));
      return Behaviors.same();
    }
    return write(result.state(), () -> request.replyTo().tell(new LeadersElected(result.outcomes(), result.state().version())), () -> {
      NotControllerException lost = new NotControllerException("The metadata change could not be stored on a majority of nodes.");
      request.replyTo().tell(new LeadersElected(result.outcomes().stream()
          .map(o -> o.errorCode() != 0 ? o
              : new RequestedElections.Outcome(o.topic(), o.partition(), org.apache.kafka.common.protocol.Errors.NOT_CONTROLLER.code(),
                  lost.getMessage()))
          .toList(), state.version()));
      return ready();
    });
  }

  private Behavior<Command> onCreateTopics(CreateTopics request) {
    long records = request.topics().stream()
        .mapToLong(topic -> 1L + Math.max(partitionsOf(topic), 0) + topic.configs().size()).sum();
    if (records > MAX_RECORDS_PER_REQUEST) {
      return refuseAsTooLarge(request.topics().stream().map(NewTopic::name).toList(), request.replyTo());
    }
    return applyEach(request.topics(), NewTopic::name, request.validateOnly(), request.replyTo(), (next, topic) -> {
      settings.topicConfigValidator().accept(topic.configs());
      return next.newTopic(
          topic.name(),
          partitionsOf(topic),
          topic.replicationFactor() == -1 ? settings.defaultReplicationFactor() : topic.replicationFactor(),
          topic.configs(),
          UUID.randomUUID());
    });
  }

  private int partitionsOf(NewTopic topic) {
    return topic.partitions() == -1 ? settings.defaultPartitions() : topic.partitions();
  }

  private Behavior<Command> onCreatePartitions(CreatePartitions request) {
    long records = request.topics().stream()
        .mapToLong(change -> state.topic(change.topic()).map(t -> Math.max((long) change.count() - t.partitionCount(), 0L)).orElse(0L)).sum();
    if (records > MAX_RECORDS_PER_REQUEST) {
      return refuseAsTooLarge(request.topics().stream().map(PartitionCount::topic).toList(), request.replyTo());
    }
    return applyEach(request.topics(), PartitionCount::topic, request.validateOnly(), request.replyTo(),
        (next, change) -> next.withPartitionCount(change.topic(), change.count()));
  }

  /** As Kafka's controller: a request producing more metadata records than it allows per operation changes nothing. */
  private Behavior<Command> refuseAsTooLarge(List<String> names, ActorRef<TopicOutcomes> replyTo) {
    PolicyViolationException tooLarge = new PolicyViolationException("Unable to perform excessively large batch operation.");
    replyTo.tell(new TopicOutcomes(names.stream().map(name -> TopicOutcome.failed(name, tooLarge)).toList(), state.version()));
    return Behaviors.same();
  }

  private Behavior<Command> onDeleteTopics(DeleteTopics request) {
    List<TopicOutcome> outcomes = new ArrayList<>();
    ClusterState next = state;
    for (String name : request.names()) {
      try {
        TopicState deleted = next.requireTopic(name);
        next = next.withoutTopic(name);
        outcomes.add(TopicOutcome.ok(deleted));
      } catch (RuntimeException e) {
        outcomes.add(TopicOutcome.failed(name, e));
      }
    }
    return reply(next, outcomes, false, request.replyTo());
  }

  private Behavior<Command> onAlterTopicConfigs(AlterTopicConfigs request) {
    return applyEach(request.changes(), ConfigChange::topic, request.validateOnly(), request.replyTo(), (next, change) -> {
      TopicState topic = next.requireTopic(change.topic());
      Map<String, String> configs = change.replaceAll() ? new HashMap<>() : new HashMap<>(topic.configs());
      change.changes().forEach((key, value) -> {
        if (value.isPresent()) {
          configs.put(key, value.get());
        } else {
          configs.remove(key);
        }
      });
      settings.topicConfigValidator().accept(configs);
      settings.configChangeRule().check(topic.name(), topic.configs(), configs);
      return topic.withConfigs(configs);
    });
  }

  private Behavior<Command> onAlterPartitionReassignments(AlterPartitionReassignments request) {
    return applyInTurn(request.moves(), false, request.replyTo(), (next, move) -> {
      if (!request.allowReplicationFactorChange() && move.target() != null) {
        PartitionReassignment.requireReplicationFactor(next, move.topic(), move.partition(), move.target().size());
      }
      return PartitionReassignment.alter(next, move.topic(), move.partition(), Optional.ofNullable(move.target()));
    });
  }

  private Behavior<Command> onAlterBrokerConfigs(AlterBrokerConfigs request) {
    return applyInTurn(request.changes(), request.validateOnly(), request.replyTo(), (next, change) -> {
      Map<String, String> configs = change.replaceAll() ? new HashMap<>() : new HashMap<>(next.brokerConfigs(change.nodeId()));
      change.changes().forEach((key, value) -> {
        if (value.isPresent()) {
          configs.put(key, value.get());
        } else {
          configs.remove(key);
        }
      });
      BrokerConfigs.validate(configs);
      return next.withBrokerConfigs(change.nodeId(), configs);
    });
  }

  private Behavior<Command> onAlterScramCredentials(AlterScramCredentials request) {
    return applyInTurn(request.changes(), false, request.replyTo(), (next, change) -> next.withScramCredentials(
        change.credential()
            .map(credential -> next.scramCredentials().with(change.user(), change.mechanism(), credential))
            .orElseGet(() -> next.scramCredentials().without(change.user(), change.mechanism()))));
  }

  private Behavior<Command> onDeleteAcls(DeleteAcls request) {
    Set<AclEntry> remaining = new HashSet<>(state.acls());
    List<List<AclEntry>> deleted = new ArrayList<>();
    for (AclFilter filter : request.filters()) {
      // An ACL two filters match is reported under both, as Kafka does.
      List<AclEntry> matched = state.acls().stream().filter(filter::matches).toList();
      remaining.removeAll(matched);
      deleted.add(matched);
    }
    ClusterState next = state.withAcls(remaining);
    if (next == state) {
      request.replyTo().tell(new AclsDeleted(deleted, Outcome.OK, state.version()));
      return Behaviors.same();
    }
    return write(next, () -> request.replyTo().tell(new AclsDeleted(deleted, Outcome.OK, next.version())), () -> {
      Outcome lost = Outcome.failed(new NotControllerException("The metadata change could not be stored on a majority of nodes."));
      request.replyTo().tell(new AclsDeleted(deleted.stream().map(d -> List.<AclEntry>of()).toList(), lost,
          state.version()));
      return ready();
    });
  }

  /**
   * Applies each item to the state holding the request's earlier items, stores the result once,
   * and answers per item: an item that fails changes nothing and the others still apply.
   */
  private <T> Behavior<Command> applyInTurn(
      List<T> items, boolean validateOnly, ActorRef<Outcomes> replyTo, java.util.function.BiFunction<ClusterState, T, ClusterState> change) {
    List<Outcome> outcomes = new ArrayList<>();
    ClusterState next = state;
    for (T item : items) {
      try {
        next = change.apply(next, item);
        outcomes.add(Outcome.OK);
      } catch (RuntimeException e) {
        outcomes.add(Outcome.failed(e));
      }
    }
    if (validateOnly || next == state) {
      replyTo.tell(new Outcomes(outcomes, state.version()));
      return Behaviors.same();
    }
    ClusterState stored = next;
    return write(next, () -> replyTo.tell(new Outcomes(outcomes, stored.version())), () -> {
      Outcome lost = Outcome.failed(new NotControllerException("The metadata change could not be stored on a majority of nodes."));
      replyTo.tell(new Outcomes(outcomes.stream().map(o -> lost).toList(), state.version()));
      return ready();
    });
  }

  /** A change to one topic, computed against the state that already holds the request's earlier changes. */
  private interface TopicChange<T> {
    TopicState apply(ClusterState next, T item);
  }

  private <T> Behavior<Command> applyEach(
      List<T> items, Function<T, String> nameOf, boolean validateOnly, ActorRef<TopicOutcomes> replyTo, TopicChange<T> change) {
    List<TopicOutcome> outcomes = new ArrayList<>();
    ClusterState next = state;
    Set<String> seen = new HashSet<>();
    for (T item : items) {
      String name = nameOf.apply(item);
      try {
        if (!seen.add(name)) {
          throw new InvalidRequestException("Topic '" + name + "' appears more than once in the request.");
        }
        TopicState topic = change.apply(next, item);
        next = next.withTopic(topic);
        outcomes.add(TopicOutcome.ok(topic));
      } catch (RuntimeException e) {
        outcomes.add(TopicOutcome.failed(name, e));
      }
    }
    return reply(next, outcomes, validateOnly, replyTo);
  }

  private Behavior<Command> reply(ClusterState changed, List<TopicOutcome> outcomes, boolean validateOnly, ActorRef<TopicOutcomes> replyTo) {
    if (validateOnly || changed == state) {
      replyTo.tell(new TopicOutcomes(outcomes, state.version()));
      return Behaviors.same();
    }
    // An internal topic created with fewer replicas than live brokers (its creator counted fewer) is raised at once.
    ClusterState next = withInternalTopicsRaised(changed);
    return write(next, () -> replyTo.tell(new TopicOutcomes(outcomes, next.version())), () -> {
      NotControllerException lost = new NotControllerException("The metadata change could not be stored on a majority of nodes.");
      replyTo.tell(new TopicOutcomes(outcomes.stream().map(o -> TopicOutcome.failed(o.name(), lost)).toList(), state.version()));
      return ready();
    });
  }

  /**
   * Stores {@code next} on a majority, then publishes it and runs {@code onStored}; if the write
   * fails the state stays as it was and {@code onFailure} gives the behaviour to continue with.
   */
  private Behavior<Command> write(ClusterState next, Runnable onStored, java.util.function.Supplier<Behavior<Command>> onFailure) {
    replicator.askUpdate(
        replyTo -> new Replicator.Update<>(
            STATE_KEY,
            LWWRegister.create(self, next, VERSION_CLOCK),
            new Replicator.WriteMajority(settings.consistencyTimeout()),
            replyTo,
            register -> register.withValue(self, next, VERSION_CLOCK)),
        StateWritten::new);
    return Behaviors.receive(Command.class)
        .onMessage(StateWritten.class, written -> {
          if (written.response() instanceof Replicator.UpdateSuccess<LWWRegister<ClusterState>>) {
            applied(next);
            onStored.run();
            return stash.unstashAll(ready());
          }
          context.getLog().warn("Writing cluster metadata version {} to a majority failed: {}", next.version(), written.response());
          if (written.response() instanceof Replicator.UpdateTimeout<LWWRegister<ClusterState>>
              || written.response() instanceof Replicator.StoreFailure<LWWRegister<ClusterState>>) {
            // The local replica holds it and gossips it on, though no majority confirmed it in time
            // (or the local durable store, say on a full disk, failed to keep it).
            // Later states must build on it: a second, different state with the same version would
            // lose to it in the register or be ignored by every cache that has it.
            applied(next);
          }
          return stash.unstashAll(onFailure.get());
        })
        .onAnyMessage(this::stashed)
        .build();
  }

  /** {@code next} is the state from now on: published to this node's cache, its ISR changes counted. */
  private void applied(ClusterState next) {
    IsrChangeCount isrChanges = IsrChangeCount.between(state, next);
    state = next;
    cache.update(next);
    if (!isrChanges.isEmpty()) {
      settings.isrChanged().accept(isrChanges);
    }
  }

  /**
   * Starts raising each internal topic towards its replication factor where brokers have joined since
   * it was created ({@link ReplicationFactorRaise}); the moves are reassignments like an operator's.
   */
  private ClusterState withInternalTopicsRaised(ClusterState next) {
    ClusterState raised = next;
    for (Map.Entry<String, Integer> topic : settings.internalTopics().entrySet()) {
      List<ReplicationFactorRaise.Move> moves = ReplicationFactorRaise.plan(raised, topic.getKey(), topic.getValue());
      if (!moves.isEmpty()) {
        context.getLog().info("Raising the replication factor of {} towards {} as brokers {} are live: {}", topic.getKey(),
            topic.getValue(), raised.sortedBrokerIds(), moves.stream().map(m -> m.partition() + " " + m.from() + " -> " + m.to()).toList());
        raised = ReplicationFactorRaise.apply(raised, topic.getKey(), moves);
      }
    }
    return raised;
  }

  /** A cluster without SCRAM credentials gets the configured first ones (as kafka-storage format --add-scram). */
  private ClusterState withScramBootstrapped(ClusterState next) {
    if (!next.scramCredentials().isEmpty() || settings.bootstrapScramCredentials().isEmpty()) {
      return next;
    }
    context.getLog().info("Storing the bootstrap SCRAM credentials of users {}", settings.bootstrapScramCredentials().byUser().keySet());
    return next.withScramCredentials(settings.bootstrapScramCredentials());
  }

  private Behavior<Command> stashed(Command command) {
    stash.stash(command);
    return Behaviors.same();
  }

  private Optional<Integer> brokerAt(String address) {
    return state.brokers().values().stream().filter(b -> b.clusterAddress().equals(address)).map(BrokerInfo::nodeId).findFirst();
  }

  /** Brokers the stored state lists whose nodes are no longer cluster members left while no controller watched. */
  private ClusterState withoutDepartedBrokers(ClusterState claimed) {
    Set<String> members = new HashSet<>();
    for (Member member : Cluster.get(context.getSystem()).state().getMembers()) {
      if (member.status() != MemberStatus.down() && member.status() != MemberStatus.removed()) {
        members.add(member.address().toString());
      }
    }
    ClusterState next = claimed;
    for (BrokerInfo broker : claimed.brokers().values()) {
      if (!members.contains(broker.clusterAddress())) {
        next = LeaderElection.onBrokerLost(next, broker.nodeId(), settings.uncleanPolicy());
      }
    }
    return next;
  }
}
