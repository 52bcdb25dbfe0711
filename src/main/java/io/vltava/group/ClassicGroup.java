package io.vltava.group;

import io.vltava.group.GroupProtocol.Assignment;
import io.vltava.group.GroupProtocol.Description;
import io.vltava.group.GroupProtocol.JoinRequest;
import io.vltava.group.GroupProtocol.JoinResult;
import io.vltava.group.GroupProtocol.JoinedMember;
import io.vltava.group.GroupProtocol.Leaving;
import io.vltava.group.GroupProtocol.MemberDescription;
import io.vltava.group.GroupProtocol.MemberGeneration;
import io.vltava.group.GroupProtocol.Protocol;
import io.vltava.group.GroupProtocol.SyncRequest;
import io.vltava.group.GroupProtocol.SyncResult;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.protocol.Errors;

/**
 * The membership state machine of one classic group (Kafka's JoinGroup/SyncGroup/Heartbeat/
 * LeaveGroup rules): members, generations, the leader, the selected protocol, static members.
 * Plain logic without actors or clocks: the coordinator passes each request and time-out in, and
 * carries out the {@link Effects} it drains afterwards (replies to waiting members, timers).
 * Not thread-safe: owned by one coordinator.
 */
public final class ClassicGroup {

  public enum State {
    EMPTY("Empty"), PREPARING_REBALANCE("PreparingRebalance"), COMPLETING_REBALANCE("CompletingRebalance"),
    STABLE("Stable"), DEAD("Dead");

    public final String kafkaName;

    State(String kafkaName) {
      this.kafkaName = kafkaName;
    }
  }

  /** What the coordinator must do after a call: answer parked requests and (re)arm or drop timers. */
  public static final class Effects {
    public final Map<String, JoinResult> joinReplies = new LinkedHashMap<>();
    public final Map<String, SyncResult> syncReplies = new LinkedHashMap<>();
    /** Members gone from the group: their session timers can go. */
    public final Set<String> removedMembers = new HashSet<>();
    /** Member ids handed out with MEMBER_ID_REQUIRED, to forget if not used within this long. */
    public final Map<String, Duration> pendingMemberTimeouts = new HashMap<>();
    /** Complete the join phase after this long (replacing an earlier deadline); null = unchanged. */
    public Duration joinDeadline;
    /** Give up waiting for SyncGroup of this generation after this long; null = unchanged. */
    public Duration syncDeadline;
    public int syncDeadlineGeneration;
  }

  /** The member id the join ended with, and the answer, or null when the join is parked until the join phase completes. */
  public record Joined(String memberId, JoinResult result) {
    static Joined now(JoinResult result) {
      return new Joined(result.memberId(), result);
    }
  }

  private static final class Member {
    final String groupInstanceId;
    final String clientId;
    final String clientHost;
    String memberId;
    int sessionTimeoutMs;
    int rebalanceTimeoutMs;
    List<Protocol> protocols;
    byte[] assignment = new byte[0];
    boolean awaitingJoin;
    boolean awaitingSync;

    Member(String memberId, JoinRequest request) {
      this.memberId = memberId;
      this.groupInstanceId = request.groupInstanceId();
      this.clientId = request.clientId();
      this.clientHost = request.clientHost();
      update(request);
    }

    void update(JoinRequest request) {
      sessionTimeoutMs = request.sessionTimeoutMs();
      rebalanceTimeoutMs = request.rebalanceTimeoutMs();
      protocols = request.protocols();
    }

    byte[] metadata(String protocolName) {
      return protocols.stream().filter(p -> p.name().equals(protocolName)).findFirst().map(Protocol::metadata)
          .orElse(new byte[0]);
    }

    boolean sameProtocols(List<Protocol> other) {
      if (other.size() != protocols.size()) {
        return false;
      }
      for (int i = 0; i < other.size(); i++) {
        if (!other.get(i).name().equals(protocols.get(i).name())
            || !Arrays.equals(other.get(i).metadata(), protocols.get(i).metadata())) {
          return false;
        }
      }
      return true;
    }
  }

  private final String groupId;
  private final GroupSettings settings;
  /** In join order: the first member becomes leader when the leader is gone. */
  private final Map<String, Member> members = new LinkedHashMap<>();
  private final Map<String, String> memberIdByInstanceId = new HashMap<>();
  /** Member ids handed out with MEMBER_ID_REQUIRED (KIP-394), not yet joined with. */
  private final Set<String> pendingMemberIds = new HashSet<>();
  private State state = State.EMPTY;
  private int generationId;
  private String protocolType;
  private String protocolName;
  private String leaderId;
  /** While above 0: the initial delay of a group that was empty, extendable until this time. */
  private long initialDelayEndsByMs = -1;
  private Effects effects = new Effects();

  public ClassicGroup(String groupId, GroupSettings settings) {
    this.groupId = groupId;
    this.settings = settings;
  }

  public State state() {
    return state;
  }

  public int generationId() {
    return generationId;
  }

  public boolean hasMembers() {
    return !members.isEmpty();
  }

  public Optional<Integer> sessionTimeoutMs(String memberId) {
    return Optional.ofNullable(members.get(memberId)).map(m -> m.sessionTimeoutMs);
  }

  /** Returns what the last calls asked of the coordinator, and starts a new list. */
  public Effects drainEffects() {
    Effects drained = effects;
    effects = new Effects();
    return drained;
  }

  // ---- JoinGroup

  /** Answers the join now, or parks it until the join phase completes. */
  public Joined join(JoinRequest request, long nowMs) {
    String memberId = request.memberId();
    if (request.sessionTimeoutMs() < settings.minSessionTimeoutMs()
        || request.sessionTimeoutMs() > settings.maxSessionTimeoutMs()) {
      return Joined.now(JoinResult.error(Errors.INVALID_SESSION_TIMEOUT.code(), memberId));
    }
    if (!acceptsProtocols(request.protocolType(), request.protocols())) {
      return Joined.now(JoinResult.error(Errors.INCONSISTENT_GROUP_PROTOCOL.code(), memberId));
    }
    if (memberId.isEmpty()) {
      return joinUnknownMember(request, nowMs);
    }
    if (request.groupInstanceId() != null) {
      String current = memberIdByInstanceId.get(request.groupInstanceId());
      if (current != null && !current.equals(memberId)) {
        return Joined.now(JoinResult.error(Errors.FENCED_INSTANCE_ID.code(), memberId));
      }
    }
    Member member = members.get(memberId);
    if (member == null) {
      if (!pendingMemberIds.remove(memberId)) {
        return Joined.now(JoinResult.error(Errors.UNKNOWN_MEMBER_ID.code(), memberId));
      }
      return addMember(new Member(memberId, request), request, nowMs);
    }
    boolean changed = !member.sameProtocols(request.protocols());
    member.update(request);
    if ((state == State.STABLE || state == State.COMPLETING_REBALANCE) && !changed && !memberId.equals(leaderId)) {
      // A follower rejoining without change gets the current generation back, no rebalance.
      return Joined.now(currentGeneration(memberId, false));
    }
    member.awaitingJoin = true;
    if (state != State.PREPARING_REBALANCE) {
      prepareRebalance(nowMs);
    }
    maybeCompleteJoin(nowMs);
    return parkedJoin(memberId);
  }

  private Joined joinUnknownMember(JoinRequest request, long nowMs) {
    String newMemberId = request.clientId() + "-" + UUID.randomUUID();
    String instanceId = request.groupInstanceId();
    if (instanceId != null && memberIdByInstanceId.containsKey(instanceId)) {
      return replaceStaticMember(memberIdByInstanceId.get(instanceId), newMemberId, request, nowMs);
    }
    if (instanceId == null && request.requireKnownMemberId()) {
      pendingMemberIds.add(newMemberId);
      effects.pendingMemberTimeouts.put(newMemberId, Duration.ofMillis(request.sessionTimeoutMs()));
      return Joined.now(JoinResult.error(Errors.MEMBER_ID_REQUIRED.code(), newMemberId));
    }
    return addMember(new Member(newMemberId, request), request, nowMs);
  }

  /** A static member restarted: its new member id takes the old one's place; the old one is fenced. */
  private Joined replaceStaticMember(String oldMemberId, String newMemberId, JoinRequest request, long nowMs) {
    Member member = members.remove(oldMemberId);
    if (member.awaitingJoin) {
      effects.joinReplies.put(oldMemberId, JoinResult.error(Errors.FENCED_INSTANCE_ID.code(), oldMemberId));
    }
    if (member.awaitingSync) {
      effects.syncReplies.put(oldMemberId, SyncResult.error(Errors.FENCED_INSTANCE_ID.code()));
      member.awaitingSync = false;
    }
    effects.removedMembers.add(oldMemberId);
    member.memberId = newMemberId;
    member.update(request);
    members.put(newMemberId, member);
    memberIdByInstanceId.put(member.groupInstanceId, newMemberId);
    boolean wasLeader = oldMemberId.equals(leaderId);
    if (wasLeader) {
      leaderId = newMemberId;
    }
    if (state == State.STABLE && protocolName.equals(ProtocolSelection.select(allProtocols()))) {
      return Joined.now(staticMemberRestarted(newMemberId, oldMemberId, wasLeader, request.supportsSkippingAssignment()));
    }
    member.awaitingJoin = true;
    if (state != State.PREPARING_REBALANCE) {
      prepareRebalance(nowMs);
    }
    maybeCompleteJoin(nowMs);
    return parkedJoin(newMemberId);
  }

  private Joined addMember(Member member, JoinRequest request, long nowMs) {
    members.put(member.memberId, member);
    if (member.groupInstanceId != null) {
      memberIdByInstanceId.put(member.groupInstanceId, member.memberId);
    }
    if (protocolType == null) {
      protocolType = request.protocolType();
    }
    member.awaitingJoin = true;
    if (state == State.PREPARING_REBALANCE && initialDelayEndsByMs > 0) {
      // Each new member during the initial delay restarts it, up to the rebalance timeout.
      effects.joinDeadline = Duration.ofMillis(
          Math.max(0, Math.min(settings.initialRebalanceDelay().toMillis(), initialDelayEndsByMs - nowMs)));
    } else if (state != State.PREPARING_REBALANCE) {
      prepareRebalance(nowMs);
    }
    maybeCompleteJoin(nowMs);
    return parkedJoin(member.memberId);
  }

  private Joined parkedJoin(String memberId) {
    // The join may have completed within this call; then its answer is among the effects already.
    return new Joined(memberId, effects.joinReplies.remove(memberId));
  }

  private boolean acceptsProtocols(String type, List<Protocol> protocols) {
    if (protocols.isEmpty() || type == null || type.isEmpty()) {
      return false;
    }
    if (members.isEmpty()) {
      return true;
    }
    if (!type.equals(protocolType)) {
      return false;
    }
    Set<String> offered = new HashSet<>();
    protocols.forEach(p -> offered.add(p.name()));
    return members.values().stream().allMatch(m -> m.protocols.stream().anyMatch(p -> offered.contains(p.name())));
  }

  private void prepareRebalance(long nowMs) {
    if (state == State.COMPLETING_REBALANCE) {
      resetAssignments(Errors.REBALANCE_IN_PROGRESS);
    }
    if (state == State.EMPTY) {
      long rebalanceTimeoutMs = maxRebalanceTimeoutMs();
      initialDelayEndsByMs = nowMs + rebalanceTimeoutMs;
      effects.joinDeadline = Duration.ofMillis(Math.min(settings.initialRebalanceDelay().toMillis(), rebalanceTimeoutMs));
    } else {
      initialDelayEndsByMs = -1;
      effects.joinDeadline = Duration.ofMillis(maxRebalanceTimeoutMs());
    }
    state = State.PREPARING_REBALANCE;
  }

  private void resetAssignments(Errors syncError) {
    for (Member member : members.values()) {
      member.assignment = new byte[0];
      if (member.awaitingSync) {
        member.awaitingSync = false;
        effects.syncReplies.put(member.memberId, SyncResult.error(syncError.code()));
      }
    }
  }

  private void maybeCompleteJoin(long nowMs) {
    boolean allJoined = members.values().stream().allMatch(m -> m.awaitingJoin);
    if (state == State.PREPARING_REBALANCE && initialDelayEndsByMs < 0 && allJoined) {
      completeJoin();
    }
  }

  /** The join deadline passed: members that did not rejoin are out, the rest form the next generation. */
  public void joinDeadlinePassed() {
    if (state == State.PREPARING_REBALANCE) {
      completeJoin();
    }
  }

  private void completeJoin() {
    initialDelayEndsByMs = -1;
    for (Member member : List.copyOf(members.values())) {
      if (!member.awaitingJoin) {
        remove(member);
      }
    }
    generationId++;
    if (members.isEmpty()) {
      becomeEmpty();
      return;
    }
    protocolName = ProtocolSelection.select(allProtocols());
    if (leaderId == null || !members.containsKey(leaderId)) {
      leaderId = members.keySet().iterator().next();
    }
    state = State.COMPLETING_REBALANCE;
    for (Member member : members.values()) {
      member.awaitingJoin = false;
      effects.joinReplies.put(member.memberId, currentGeneration(member.memberId, member.memberId.equals(leaderId)));
    }
    effects.syncDeadline = Duration.ofMillis(maxRebalanceTimeoutMs());
    effects.syncDeadlineGeneration = generationId;
  }

  /**
   * As Kafka (KIP-345, KIP-814): a static member that restarted into a stable group whose protocol
   * stays causes no rebalance and keeps its assignment. A leader that can skip the assignment (v9+)
   * gets the members with skipAssignment; an older one is told its old member id leads, so it
   * syncs as a follower.
   */
  private JoinResult staticMemberRestarted(String memberId, String oldMemberId, boolean wasLeader, boolean canSkipAssignment) {
    if (canSkipAssignment) {
      JoinResult current = currentGeneration(memberId, wasLeader);
      return new JoinResult(current.errorCode(), current.generationId(), current.protocolType(), current.protocolName(),
          current.leaderId(), memberId, current.members(), wasLeader);
    }
    return new JoinResult(Errors.NONE.code(), generationId, protocolType, protocolName,
        wasLeader ? oldMemberId : leaderId, memberId, List.of(), false);
  }

  private List<List<Protocol>> allProtocols() {
    return members.values().stream().map(m -> m.protocols).toList();
  }

  private JoinResult currentGeneration(String memberId, boolean withMembers) {
    List<JoinedMember> joined = new ArrayList<>();
    if (withMembers) {
      members.values().forEach(m -> joined.add(new JoinedMember(m.memberId, m.groupInstanceId, m.metadata(protocolName))));
    }
    return new JoinResult(Errors.NONE.code(), generationId, protocolType, protocolName, leaderId, memberId, joined, false);
  }

  private void becomeEmpty() {
    state = State.EMPTY;
    protocolName = null;
    protocolType = null;
    leaderId = null;
    initialDelayEndsByMs = -1;
  }

  private long maxRebalanceTimeoutMs() {
    return members.values().stream().mapToLong(m -> m.rebalanceTimeoutMs).max().orElse(0);
  }

  // ---- SyncGroup

  /** Answers the sync now, or parks it (empty) until the leader's sync brings the assignment. */
  public Optional<SyncResult> sync(SyncRequest request) {
    Errors error = check(request.memberId(), request.groupInstanceId(), request.generationId());
    if (error == Errors.NONE && ((request.protocolType() != null && !request.protocolType().equals(protocolType))
        || (request.protocolName() != null && !request.protocolName().equals(protocolName)))) {
      error = Errors.INCONSISTENT_GROUP_PROTOCOL;
    }
    if (error == Errors.NONE && state == State.PREPARING_REBALANCE) {
      error = Errors.REBALANCE_IN_PROGRESS;
    }
    if (error != Errors.NONE) {
      return Optional.of(SyncResult.error(error.code()));
    }
    Member member = members.get(request.memberId());
    if (state == State.STABLE) {
      return Optional.of(new SyncResult(Errors.NONE.code(), protocolType, protocolName, member.assignment));
    }
    member.awaitingSync = true;
    if (request.memberId().equals(leaderId)) {
      Map<String, byte[]> byMember = new HashMap<>();
      for (Assignment assignment : request.assignments()) {
        byMember.put(assignment.memberId(), assignment.assignment());
      }
      state = State.STABLE;
      for (Member m : members.values()) {
        m.assignment = byMember.getOrDefault(m.memberId, new byte[0]);
        if (m.awaitingSync) {
          m.awaitingSync = false;
          effects.syncReplies.put(m.memberId, new SyncResult(Errors.NONE.code(), protocolType, protocolName, m.assignment));
        }
      }
    }
    return Optional.ofNullable(effects.syncReplies.remove(request.memberId()));
  }

  /** The leader did not sync in time: members that have not synced are out, and the group rebalances. */
  public void syncDeadlinePassed(int generation, long nowMs) {
    if (state != State.COMPLETING_REBALANCE || generation != generationId) {
      return;
    }
    for (Member member : List.copyOf(members.values())) {
      if (!member.awaitingSync) {
        remove(member);
      }
    }
    membersChanged(nowMs);
  }

  // ---- Heartbeat, commits

  /** Kafka's checks of a heartbeat: member known, not fenced, current generation, no rebalance under way. */
  public Errors heartbeat(MemberGeneration request) {
    Errors error = check(request.memberId(), request.groupInstanceId(), request.generationId());
    if (error == Errors.NONE && state == State.PREPARING_REBALANCE) {
      return Errors.REBALANCE_IN_PROGRESS;
    }
    return error;
  }

  /**
   * Whether an offset commit may be stored, by Kafka's rules: a commit without a generation only
   * while the group has no members (admin tools, manual assignment); else a current member of this
   * generation, and not while the leader is assigning.
   */
  public Errors validateCommit(MemberGeneration request) {
    if (request.generationId() < 0 && state == State.EMPTY) {
      return Errors.NONE;
    }
    if (request.generationId() < 0 && request.memberId().isEmpty() && request.groupInstanceId() == null) {
      return Errors.UNKNOWN_MEMBER_ID;
    }
    Errors error = check(request.memberId(), request.groupInstanceId(), request.generationId());
    if (error == Errors.NONE && state == State.COMPLETING_REBALANCE) {
      return Errors.REBALANCE_IN_PROGRESS;
    }
    return error;
  }

  private Errors check(String memberId, String groupInstanceId, int generation) {
    if (groupInstanceId != null) {
      String current = memberIdByInstanceId.get(groupInstanceId);
      if (current != null && !current.equals(memberId)) {
        return Errors.FENCED_INSTANCE_ID;
      }
    }
    if (!members.containsKey(memberId)) {
      return Errors.UNKNOWN_MEMBER_ID;
    }
    if (generation != generationId) {
      return Errors.ILLEGAL_GENERATION;
    }
    return Errors.NONE;
  }

  // ---- Leaving, session expiry

  /** Removes the given members (LeaveGroup); one error per member, in order. */
  public List<Errors> leave(List<Leaving> leaving, long nowMs) {
    List<Errors> errors = new ArrayList<>();
    boolean removed = false;
    for (Leaving l : leaving) {
      String memberId = l.memberId();
      if (l.groupInstanceId() != null) {
        String current = memberIdByInstanceId.get(l.groupInstanceId());
        if (current == null) {
          errors.add(Errors.UNKNOWN_MEMBER_ID);
          continue;
        }
        if (!memberId.isEmpty() && !memberId.equals(current)) {
          errors.add(Errors.FENCED_INSTANCE_ID);
          continue;
        }
        memberId = current;
      }
      Member member = members.get(memberId);
      if (member == null) {
        errors.add(pendingMemberIds.remove(memberId) ? Errors.NONE : Errors.UNKNOWN_MEMBER_ID);
        continue;
      }
      remove(member);
      removed = true;
      errors.add(Errors.NONE);
    }
    if (removed) {
      membersChanged(nowMs);
    }
    return errors;
  }

  /** A member's session timer fired; members waiting in a join or sync are kept (other deadlines cover them). */
  public void sessionExpired(String memberId, long nowMs) {
    Member member = members.get(memberId);
    if (member != null && !member.awaitingJoin && !member.awaitingSync) {
      remove(member);
      membersChanged(nowMs);
    }
  }

  private void remove(Member member) {
    members.remove(member.memberId);
    if (member.groupInstanceId != null) {
      memberIdByInstanceId.remove(member.groupInstanceId, member.memberId);
    }
    if (member.awaitingJoin) {
      effects.joinReplies.put(member.memberId, JoinResult.error(Errors.UNKNOWN_MEMBER_ID.code(), member.memberId));
    }
    if (member.awaitingSync) {
      effects.syncReplies.put(member.memberId, SyncResult.error(Errors.UNKNOWN_MEMBER_ID.code()));
    }
    effects.removedMembers.add(member.memberId);
  }

  private void membersChanged(long nowMs) {
    if (members.isEmpty() && state != State.PREPARING_REBALANCE) {
      generationId++;
      resetAssignments(Errors.REBALANCE_IN_PROGRESS);
      becomeEmpty();
      return;
    }
    if (state != State.PREPARING_REBALANCE) {
      prepareRebalance(nowMs);
    }
    maybeCompleteJoin(nowMs);
  }

  /** A member id handed out with MEMBER_ID_REQUIRED was not used within the session timeout (as in Kafka). */
  public void pendingMemberExpired(String memberId) {
    pendingMemberIds.remove(memberId);
  }

  /** Forgets every member (the group was deleted while empty, so there are none to tell). */
  public void reset() {
    members.clear();
    memberIdByInstanceId.clear();
    pendingMemberIds.clear();
    becomeEmpty();
  }

  // ---- Describing

  /** As Kafka: the protocol, members' metadata and assignments only while stable (else they may be changing). */
  public Description describe() {
    boolean stable = state == State.STABLE;
    List<MemberDescription> described = new ArrayList<>();
    for (Member m : members.values()) {
      described.add(new MemberDescription(m.memberId, m.groupInstanceId, m.clientId, m.clientHost,
          stable ? m.metadata(protocolName) : new byte[0], stable ? m.assignment : new byte[0]));
    }
    return new Description(groupId, state.kafkaName, protocolType == null ? "" : protocolType,
        stable ? protocolName : "", described);
  }

  /**
   * The topics the members subscribe to, for OffsetDelete; empty when the group uses another
   * protocol than the consumer's, whose metadata we cannot read.
   */
  public Optional<Set<String>> subscribedTopics() {
    if (!"consumer".equals(protocolType) || protocolName == null) {
      return Optional.empty();
    }
    Set<String> topics = new HashSet<>();
    for (Member m : members.values()) {
      topics.addAll(ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(m.metadata(protocolName))).topics());
    }
    return Optional.of(topics);
  }
}
