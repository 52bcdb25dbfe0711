package io.vltava.group;

import io.vltava.persistence.JournalStorageExtension;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.japi.function.Function;

/**
 * The way to a group's coordinator from anywhere in the cluster: coordinators are sharded entities
 * keyed by group id, started on first use and recovered from the journal.
 */
public final class GroupCoordinators {
  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Set<String> running;

  private GroupCoordinators(ActorSystem<?> system, ClusterSharding sharding, Set<String> running) {
    this.system = system;
    this.sharding = sharding;
    this.running = running;
  }

  /** Registers the coordinator entity with cluster sharding on this node. */
  public static GroupCoordinators start(ActorSystem<?> system, GroupSettings settings, Clock clock) {
    ClusterSharding sharding = ClusterSharding.get(system);
    Set<String> running = ConcurrentHashMap.newKeySet();
    sharding.init(Entity.of(GroupCoordinator.TYPE_KEY,
        context -> GroupCoordinator.create(context.getEntityId(), settings, clock, running)));
    return new GroupCoordinators(system, sharding, running);
  }

  public <T> CompletionStage<T> ask(String groupId, Function<ActorRef<T>, GroupCoordinator.Command> request, Duration timeout) {
    return sharding.entityRefFor(GroupCoordinator.TYPE_KEY, groupId).ask(request, timeout);
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
