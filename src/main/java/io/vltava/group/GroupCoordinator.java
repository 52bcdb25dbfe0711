package io.vltava.group;

import io.vltava.group.CommittedOffset.PartitionKey;
import io.vltava.group.GroupProtocol.Description;
import io.vltava.group.GroupProtocol.JoinRequest;
import io.vltava.group.GroupProtocol.JoinResult;
import io.vltava.group.GroupProtocol.Leaving;
import io.vltava.group.GroupProtocol.MemberGeneration;
import io.vltava.group.GroupProtocol.SyncRequest;
import io.vltava.group.GroupProtocol.SyncResult;
import io.vltava.metadata.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The coordinator of one consumer group, sharded by group id. Its committed offsets are event
 * sourced (the events are the durable state); membership lives only in memory in a
 * {@link ClassicGroup}, so after a move or restart the members rejoin, as with a Kafka
 * coordinator failover. The actor hands requests and timer firings to the ClassicGroup and
 * carries out its effects: replies to parked joins and syncs, join, sync and session timers.
 *
 * <p>Failure policy: a failed journal write or replay (the journal partition's leader failing over,
 * or its log offline after an I/O error) restarts the coordinator with backoff; it recovers its
 * offsets from the journal and the members rejoin. Any other exception is a bug and restarts it the
 * same way, so a group is never left without a coordinator; the node is never affected.
 */
public final class GroupCoordinator extends EventSourcedBehavior<GroupCoordinator.Command, GroupCoordinator.Event, GroupOffsets> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "group");

  public sealed interface Command extends CborSerializable {}

  public record Join(JoinRequest request, ActorRef<JoinResult> replyTo) implements Command {}

  public record Sync(SyncRequest request, ActorRef<SyncResult> replyTo) implements Command {}

  public record Heartbeat(MemberGeneration member, ActorRef<Outcome> replyTo) implements Command {}

  public record Leave(List<Leaving> members, ActorRef<LeaveOutcome> replyTo) implements Command {}

  public record CommitOffsets(MemberGeneration member, List<CommittedOffset> offsets, ActorRef<Outcome> replyTo)
      implements Command {}

  /** {@code partitions} null: every committed offset of the group. */
  public record FetchOffsets(List<PartitionKey> partitions, ActorRef<FetchedOffsets> replyTo) implements Command {}

  public record Describe(ActorRef<Description> replyTo) implements Command {}

  /** DeleteGroups: only an empty group; forgets its offsets. */
  public record DeleteGroup(ActorRef<Outcome> replyTo) implements Command {}

  /** The answer to a heartbeat, a commit or a group deletion. */
  public record Outcome(Errors error) implements CborSerializable {}

  /** LeaveGroup's answer: one error per leaving member, in request order. */
  public record LeaveOutcome(List<Errors> memberErrors) implements CborSerializable {}

  public record FetchedOffsets(List<CommittedOffset> offsets) implements CborSerializable {}

  public record DeleteOffsets(List<PartitionKey> partitions, ActorRef<OffsetDeletion> replyTo) implements Command {}

  /** OffsetDelete's answer: the group error, and the partitions kept because members subscribe to their topics. */
  public record OffsetDeletion(Errors groupError, List<PartitionKey> subscribed) implements CborSerializable {}

  private record JoinDeadline() implements Command {}

  private record SyncDeadline(int generation) implements Command {}

  private record SessionExpired(String memberId) implements Command {}

  private record PendingMemberExpired(String memberId) implements Command {}

  private record ExpireOffsets() implements Command {}

  public sealed interface Event extends CborSerializable {}

  public record OffsetsCommitted(List<CommittedOffset> offsets) implements Event {}

  public record OffsetsDeleted(List<PartitionKey> partitions) implements Event {}

  public record GroupDeleted() implements Event {}

  private static final Object JOIN_TIMER = "join";
  private static final Object SYNC_TIMER = "sync";
  private static final Object EXPIRY_TIMER = "expiry";

  private final GroupSettings settings;
  private final Clock clock;
  private final TimerScheduler<Command> timers;
  private final ClassicGroup group;
  private final Map<String, ActorRef<JoinResult>> parkedJoins = new HashMap<>();
  private final Map<String, ActorRef<SyncResult>> parkedSyncs = new HashMap<>();
  private final Set<String> running;
  private final String groupId;
  private long emptySinceMs;
  private boolean empty = true;

  /** {@code running} is the node's set of groups with a live coordinator, for ListGroups. */
  public static Behavior<Command> create(String groupId, GroupSettings settings, Clock clock, Set<String> running) {
    return Behaviors.supervise(
            Behaviors.<Command>setup(context -> Behaviors.withTimers(timers -> new GroupCoordinator(groupId, settings, clock, timers, running))))
        .onFailure(Exception.class, restartBackoff(settings));
  }

  public static PersistenceId persistenceId(String groupId) {
    return PersistenceId.of(TYPE_KEY.name(), groupId);
  }

  private static org.apache.pekko.actor.typed.BackoffSupervisorStrategy restartBackoff(GroupSettings settings) {
    return SupervisorStrategy.restartWithBackoff(settings.coordinatorRestartBackoff(), settings.coordinatorRestartBackoffMax(), 0.2);
  }

  private GroupCoordinator(String groupId, GroupSettings settings, Clock clock, TimerScheduler<Command> timers, Set<String> running) {
    // A failed journal write (its partition's leader failing over) restarts the coordinator, which
    // recovers its offsets and keeps its members, instead of stopping it.
    super(persistenceId(groupId), restartBackoff(settings));
    this.groupId = groupId;
    this.settings = settings;
    this.clock = clock;
    this.timers = timers;
    this.running = running;
    this.group = new ClassicGroup(groupId, settings);
    this.emptySinceMs = clock.millis();
    running.add(groupId);
  }

  @Override
  public GroupOffsets emptyState() {
    return GroupOffsets.EMPTY;
  }

  /** Two snapshots are kept, so a snapshot that cannot be read still leaves an older one and its events. */
  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.offsetsSnapshotEvery(), 2).withDeleteEventsOnSnapshot();
  }

  /** What a snapshot holds: the offsets as a list, since a map keyed by records is no CBOR object. */
  public record OffsetsSnapshot(List<CommittedOffset> offsets) implements CborSerializable {}

  @Override
  public SnapshotAdapter<GroupOffsets> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(GroupOffsets state) {
        return new OffsetsSnapshot(List.copyOf(state.byPartition().values()));
      }

      @Override
      public GroupOffsets fromJournal(Object snapshot) {
        return GroupOffsets.EMPTY.committed(((OffsetsSnapshot) snapshot).offsets());
      }
    };
  }

  @Override
  public SignalHandler<GroupOffsets> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          timers.startTimerWithFixedDelay(EXPIRY_TIMER, new ExpireOffsets(), settings.offsetsRetentionCheckInterval());
          timers.startSingleTimer(new ExpireOffsets(), Duration.ZERO);
        })
        .onSignal(PostStop.instance(), state -> running.remove(groupId))
        .build();
  }

  @Override
  public CommandHandler<Command, Event, GroupOffsets> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Join.class, this::onJoin)
        .onCommand(Sync.class, this::onSync)
        .onCommand(Heartbeat.class, (state, c) -> {
          touch(c.member().memberId());
          return Effect().reply(c.replyTo(), new Outcome(group.heartbeat(c.member())));
        })
        .onCommand(Leave.class, (state, c) -> {
          List<Errors> errors = group.leave(c.members(), clock.millis());
          apply();
          return Effect().reply(c.replyTo(), new LeaveOutcome(errors));
        })
        .onCommand(CommitOffsets.class, this::onCommit)
        .onCommand(FetchOffsets.class, (state, c) -> Effect().reply(c.replyTo(), new FetchedOffsets(fetch(state, c.partitions()))))
        .onCommand(Describe.class, (state, c) -> Effect().reply(c.replyTo(), describe(state)))
        .onCommand(DeleteGroup.class, this::onDeleteGroup)
        .onCommand(DeleteOffsets.class, this::onDeleteOffsets)
        .onCommand(JoinDeadline.class, (state, c) -> {
          group.joinDeadlinePassed();
          apply();
          return Effect().none();
        })
        .onCommand(SyncDeadline.class, (state, c) -> {
          group.syncDeadlinePassed(c.generation(), clock.millis());
          apply();
          return Effect().none();
        })
        .onCommand(SessionExpired.class, (state, c) -> {
          group.sessionExpired(c.memberId(), clock.millis());
          apply();
          touch(c.memberId());
          return Effect().none();
        })
        .onCommand(PendingMemberExpired.class, (state, c) -> {
          group.pendingMemberExpired(c.memberId());
          return Effect().none();
        })
        .onCommand(ExpireOffsets.class, this::onExpireOffsets)
        .build();
  }

  @Override
  public EventHandler<GroupOffsets, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(OffsetsCommitted.class, (state, e) -> state.committed(e.offsets()))
        .onEvent(OffsetsDeleted.class, (state, e) -> state.deleted(e.partitions()))
        .onEvent(GroupDeleted.class, (state, e) -> GroupOffsets.EMPTY)
        .build();
  }

  private Effect<Event, GroupOffsets> onJoin(GroupOffsets state, Join c) {
    ClassicGroup.Joined joined = group.join(c.request(), clock.millis());
    if (joined.result() != null) {
      c.replyTo().tell(joined.result());
    } else {
      parkedJoins.put(joined.memberId(), c.replyTo());
    }
    touch(joined.memberId());
    apply();
    return Effect().none();
  }

  private Effect<Event, GroupOffsets> onSync(GroupOffsets state, Sync c) {
    Optional<SyncResult> now = group.sync(c.request());
    touch(c.request().memberId());
    if (now.isPresent()) {
      c.replyTo().tell(now.get());
    } else {
      parkedSyncs.put(c.request().memberId(), c.replyTo());
    }
    apply();
    return Effect().none();
  }

  private Effect<Event, GroupOffsets> onCommit(GroupOffsets state, CommitOffsets c) {
    // A commit without a generation creates the group (admin tools); one with a generation needs a group.
    Errors error = !exists(state) && c.member().generationId() >= 0
        ? Errors.GROUP_ID_NOT_FOUND : group.validateCommit(c.member());
    touch(c.member().memberId());
    if (error != Errors.NONE) {
      return Effect().reply(c.replyTo(), new Outcome(error));
    }
    return Effect().persist(new OffsetsCommitted(c.offsets())).thenReply(c.replyTo(), s -> new Outcome(Errors.NONE));
  }

  private Effect<Event, GroupOffsets> onDeleteGroup(GroupOffsets state, DeleteGroup c) {
    if (group.hasMembers()) {
      return Effect().reply(c.replyTo(), new Outcome(Errors.NON_EMPTY_GROUP));
    }
    if (state.isEmpty()) {
      return Effect().reply(c.replyTo(), new Outcome(Errors.GROUP_ID_NOT_FOUND));
    }
    group.reset();
    return Effect().persist(new GroupDeleted()).thenReply(c.replyTo(), s -> new Outcome(Errors.NONE));
  }

  private Effect<Event, GroupOffsets> onDeleteOffsets(GroupOffsets state, DeleteOffsets c) {
    if (!exists(state)) {
      return Effect().reply(c.replyTo(), new OffsetDeletion(Errors.GROUP_ID_NOT_FOUND, List.of()));
    }
    Optional<Set<String>> subscribed = group.hasMembers() ? group.subscribedTopics() : Optional.of(Set.of());
    if (subscribed.isEmpty()) {
      return Effect().reply(c.replyTo(), new OffsetDeletion(Errors.NON_EMPTY_GROUP, List.of()));
    }
    List<PartitionKey> inUse = new ArrayList<>();
    List<PartitionKey> deletable = new ArrayList<>();
    for (PartitionKey partition : c.partitions()) {
      (subscribed.get().contains(partition.topic()) ? inUse : deletable).add(partition);
    }
    OffsetDeletion result = new OffsetDeletion(Errors.NONE, inUse);
    if (deletable.isEmpty()) {
      return Effect().reply(c.replyTo(), result);
    }
    return Effect().persist(new OffsetsDeleted(deletable)).thenReply(c.replyTo(), s -> result);
  }

  private Effect<Event, GroupOffsets> onExpireOffsets(GroupOffsets state, ExpireOffsets c) {
    List<PartitionKey> expired = OffsetExpiry.expired(
        state, group.hasMembers(), emptySinceMs, clock.millis(), settings.offsetsRetention().toMillis());
    return expired.isEmpty() ? Effect().none() : Effect().persist(new OffsetsDeleted(expired));
  }

  private static List<CommittedOffset> fetch(GroupOffsets state, List<PartitionKey> partitions) {
    if (partitions == null) {
      return List.copyOf(state.byPartition().values());
    }
    return partitions.stream().map(state.byPartition()::get).filter(Objects::nonNull).toList();
  }

  /** Kafka forgets a group without members and offsets. */
  private boolean exists(GroupOffsets state) {
    return group.hasMembers() || !state.isEmpty();
  }

  private Description describe(GroupOffsets state) {
    Description description = group.describe();
    if (!exists(state)) {
      // Kafka forgets a group without members and offsets: it is Dead.
      return new Description(groupId, ClassicGroup.State.DEAD.kafkaName, "", "", List.of());
    }
    return description;
  }

  /** Restarts the session timer of a member that showed it is alive. */
  private void touch(String memberId) {
    group.sessionTimeoutMs(memberId).ifPresent(timeoutMs ->
        timers.startSingleTimer(sessionTimerKey(memberId), new SessionExpired(memberId), Duration.ofMillis(timeoutMs)));
  }

  private static String sessionTimerKey(String memberId) {
    return "session-" + memberId;
  }

  /** Carries out what the group asked for: replies to parked requests, timers. */
  private void apply() {
    ClassicGroup.Effects effects = group.drainEffects();
    effects.joinReplies.forEach((memberId, result) -> {
      ActorRef<JoinResult> replyTo = parkedJoins.remove(memberId);
      if (replyTo != null) {
        replyTo.tell(result);
      }
      touch(memberId);
    });
    effects.syncReplies.forEach((memberId, result) -> {
      ActorRef<SyncResult> replyTo = parkedSyncs.remove(memberId);
      if (replyTo != null) {
        replyTo.tell(result);
      }
    });
    effects.removedMembers.forEach(memberId -> {
      if (group.sessionTimeoutMs(memberId).isEmpty()) {
        timers.cancel(sessionTimerKey(memberId));
      }
    });
    effects.pendingMemberTimeouts.forEach((memberId, timeout) ->
        timers.startSingleTimer("pending-" + memberId, new PendingMemberExpired(memberId), timeout));
    if (effects.joinDeadline != null) {
      timers.startSingleTimer(JOIN_TIMER, new JoinDeadline(), effects.joinDeadline);
    }
    if (effects.syncDeadline != null) {
      timers.startSingleTimer(SYNC_TIMER, new SyncDeadline(effects.syncDeadlineGeneration), effects.syncDeadline);
    }
    if (group.hasMembers()) {
      empty = false;
    } else if (!empty) {
      empty = true;
      emptySinceMs = clock.millis();
    }
  }
}
