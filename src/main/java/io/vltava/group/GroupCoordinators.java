package io.vltava.group;

import io.vltava.persistence.JournalStorageExtension;
import io.vltava.replica.DirectCompletion;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.japi.function.Function;

/**
 * The way to a group's coordinator from anywhere in the cluster: coordinators are sharded entities
 * keyed by group id, started on first use and recovered from the journal.
 */
public final class GroupCoordinators {
  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Set<String> running;
  private final GroupSettings settings;
  /** Parked questions not answered yet; a node leaving the cluster fails them (see {@link #askParked}). */
  private final Set<CompletableFuture<?>> parked = ConcurrentHashMap.newKeySet();
  /** Every question not answered yet; a hand-off fails them (see {@link #handOff}). */
  private final Set<CompletableFuture<?>> unanswered = ConcurrentHashMap.newKeySet();
  /** Set once this node's coordinators have been handed over: it asks none any more. */
  private volatile boolean handedOff;

  private GroupCoordinators(ActorSystem<?> system, ClusterSharding sharding, Set<String> running, GroupSettings settings) {
    this.system = system;
    this.settings = settings;
    this.sharding = sharding;
    this.running = running;
  }

  /** Registers the coordinator entity with cluster sharding on this node. */
  public static GroupCoordinators start(ActorSystem<?> system, GroupSettings settings, Clock clock) {
    ClusterSharding sharding = ClusterSharding.get(system);
    Set<String> running = ConcurrentHashMap.newKeySet();
    sharding.init(Entity.of(GroupCoordinator.TYPE_KEY,
        context -> GroupCoordinator.create(context.getEntityId(), settings, clock, running)));
    GroupCoordinators coordinators = new GroupCoordinators(system, sharding, running, settings);
    // Restarted on any failure (it re-subscribes): parked questions must keep failing fast when a node leaves.
    system.systemActorOf(Behaviors.supervise(coordinators.watchNodesLeaving())
        .onFailure(Exception.class, org.apache.pekko.actor.typed.SupervisorStrategy.restart()), "group-coordinators-node-watch", Props.empty());
    return coordinators;
  }

  public GroupSettings settings() {
    return settings;
  }

  /** Asks the coordinator of {@code groupId}. */
  public <T> CompletableFuture<T> ask(String groupId, Function<ActorRef<T>, GroupCoordinator.Command> request, Duration timeout) {
    if (handedOff) {
      return CompletableFuture.failedFuture(movedAway());
    }
    CompletableFuture<T> answer = DirectCompletion.of(sharding.entityRefFor(GroupCoordinator.TYPE_KEY, groupId).ask(request, timeout));
    unanswered.add(answer);
    answer.whenComplete((value, failure) -> unanswered.remove(answer));
    return answer;
  }

  /**
   * Asks what the coordinator holds back until a rebalance step completes, up to minutes
   * (JoinGroup, SyncGroup). If a node leaves the cluster meanwhile, the question fails at once
   * with COORDINATOR_NOT_AVAILABLE: the coordinator may have lived on that node and the question
   * died with it, so the client should look the coordinator up and ask again (it then starts on a
   * live node) rather than wait out the timeout. A live coordinator takes the repeated join.
   */
  public <T> CompletableFuture<T> askParked(String groupId, Function<ActorRef<T>, GroupCoordinator.Command> request, Duration timeout) {
    CompletableFuture<T> answer = ask(groupId, request, timeout);
    parked.add(answer);
    answer.whenComplete((value, failure) -> parked.remove(answer));
    return answer;
  }

  /**
   * Moves the coordinators running on this node to the others (Pekko's graceful shard-region
   * shutdown, which an orderly stop would otherwise run only after the Kafka listener and the logs
   * have closed). Completes when this node's region has stopped, or after {@code timeout}. From then
   * on, questions through this node fail at once with NOT_COORDINATOR, and so do those still waiting
   * (a hand-off drops some messages in flight, whose questions would otherwise wait out their
   * timeouts): clients look the coordinator up again, on another node.
   */
  public CompletionStage<Done> handOff(Duration timeout) {
    org.apache.pekko.actor.ActorRef region = org.apache.pekko.cluster.sharding.ClusterSharding.get(Adapter.toClassic(system))
        .shardRegion(GroupCoordinator.TYPE_KEY.name());
    // A region still handing off after the timeout is stopped by CoordinatedShutdown's sharding phase later.
    return Patterns.gracefulStop(region, timeout, ShardRegion.gracefulShutdownInstance()).handle((stopped, timedOut) -> {
      handedOff = true;
      unanswered.forEach(answer -> answer.completeExceptionally(movedAway()));
      return Done.getInstance();
    });
  }

  private static NotCoordinatorException movedAway() {
    return new NotCoordinatorException("this node is stopping and has handed its group coordinators to the other nodes");
  }

  private Behavior<ClusterEvent.MemberRemoved> watchNodesLeaving() {
    return Behaviors.setup(context -> {
      Cluster.get(system).subscriptions().tell(Subscribe.create(context.getSelf(), ClusterEvent.MemberRemoved.class));
      return Behaviors.receiveMessage(removed -> {
        CoordinatorNotAvailableException lost = new CoordinatorNotAvailableException(
            "node " + removed.member().address() + " left the cluster while this request waited for a rebalance; look up the coordinator again");
        parked.forEach(answer -> answer.completeExceptionally(lost));
        return Behaviors.same();
      });
    });
  }

  /**
   * Every group that may exist: those with events in the journal and those with a running
   * coordinator here. Callers ask each whether it is alive (a deleted group keeps its events).
   */
  public CompletionStage<Set<String>> knownGroupIds() {
    String prefix = GroupCoordinator.persistenceId("").id();
    return JournalStorageExtension.get(system).store()
        .thenCompose(store -> store.persistenceIds())
        .thenApply(ids -> {
          Set<String> groups = new TreeSet<>(running);
          ids.stream().filter(id -> id.startsWith(prefix)).forEach(id -> groups.add(id.substring(prefix.length())));
          return groups;
        });
  }
}
