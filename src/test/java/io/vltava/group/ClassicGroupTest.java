package io.vltava.group;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.group.GroupProtocol.Assignment;
import io.vltava.group.GroupProtocol.JoinRequest;
import io.vltava.group.GroupProtocol.JoinResult;
import io.vltava.group.GroupProtocol.Leaving;
import io.vltava.group.GroupProtocol.MemberGeneration;
import io.vltava.group.GroupProtocol.Protocol;
import io.vltava.group.GroupProtocol.SyncRequest;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** The classic group state machine, driven directly: no actors, no clock. */
class ClassicGroupTest {
  private static final GroupSettings SETTINGS =
      new GroupSettings(Duration.ofMillis(3000), 100, 60_000, Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofSeconds(5),
          Duration.ofMillis(200), Duration.ofSeconds(5), 1000);
  private static final List<Protocol> RANGE = List.of(new Protocol("range", new byte[] {1}));

  private final ClassicGroup group = new ClassicGroup("g", SETTINGS);

  private static JoinRequest join(String memberId, String instanceId, List<Protocol> protocols) {
    return join(memberId, instanceId, protocols, true);
  }

  /** {@code newestClient}: JoinGroup v9+, which can skip the assignment as a leader. */
  private static JoinRequest join(String memberId, String instanceId, List<Protocol> protocols, boolean newestClient) {
    return new JoinRequest(memberId, instanceId, "client", "/host", 1000, 5000, "consumer", protocols, true, newestClient);
  }

  /** Joins a new dynamic member through MEMBER_ID_REQUIRED; returns its member id. */
  private String newMember() {
    ClassicGroup.Joined first = group.join(join("", null, RANGE), 0);
    assertEquals(Errors.MEMBER_ID_REQUIRED.code(), first.result().errorCode());
    ClassicGroup.Joined second = group.join(join(first.memberId(), null, RANGE), 0);
    assertNull(second.result(), "parked until the join phase completes");
    return first.memberId();
  }

  @Test
  void theFirstJoinWaitsForTheInitialDelayThenFormsGenerationOne() {
    String a = newMember();
    ClassicGroup.Effects effects = group.drainEffects();
    assertEquals(Duration.ofMillis(3000), effects.joinDeadline, "initial delay, capped by the rebalance timeout");
    String b = newMember();
    assertEquals(Duration.ofMillis(3000), group.drainEffects().joinDeadline, "a new member restarts the delay");

    group.joinDeadlinePassed();
    effects = group.drainEffects();
    assertEquals(ClassicGroup.State.COMPLETING_REBALANCE, group.state());
    assertEquals(1, group.generationId());
    assertEquals(a, effects.joinReplies.get(a).leaderId());
    assertEquals(2, effects.joinReplies.get(a).members().size(), "the leader gets every member's metadata");
    assertEquals(0, effects.joinReplies.get(b).members().size());
    assertEquals("range", effects.joinReplies.get(b).protocolName());
    assertEquals(Duration.ofMillis(5000), effects.syncDeadline);

    assertTrue(group.sync(new SyncRequest(b, null, 1, "consumer", "range", List.of())).isEmpty(), "a follower waits for the leader");
    assertEquals(Errors.NONE, group.heartbeat(new MemberGeneration(b, null, 1)));
    var leaderSync = group.sync(new SyncRequest(a, null, 1, "consumer", "range",
        List.of(new Assignment(a, new byte[] {10}), new Assignment(b, new byte[] {11}))));
    assertArrayEquals(new byte[] {10}, leaderSync.orElseThrow().assignment());
    assertArrayEquals(new byte[] {11}, group.drainEffects().syncReplies.get(b).assignment());
    assertEquals(ClassicGroup.State.STABLE, group.state());
  }

  @Test
  void aLeavingMemberStartsARebalanceAndStaleOrUnknownMembersAreFenced() {
    String a = newMember();
    String b = newMember();
    group.joinDeadlinePassed();
    group.sync(new SyncRequest(a, null, 1, null, null, List.of()));
    group.drainEffects();

    assertEquals(List.of(Errors.NONE, Errors.UNKNOWN_MEMBER_ID), group.leave(List.of(new Leaving(b, null), new Leaving("x", null)), 0));
    assertEquals(ClassicGroup.State.PREPARING_REBALANCE, group.state());
    assertEquals(Errors.REBALANCE_IN_PROGRESS, group.heartbeat(new MemberGeneration(a, null, 1)));
    assertEquals(Errors.UNKNOWN_MEMBER_ID, group.heartbeat(new MemberGeneration(b, null, 1)));
    assertEquals(Errors.NONE, group.validateCommit(new MemberGeneration(a, null, 1)), "commits of the current generation still count");

    ClassicGroup.Joined rejoin = group.join(join(a, null, RANGE), 0);
    assertNotNull(rejoin.result(), "the only member rejoined: the join completes at once");
    assertEquals(2, rejoin.result().generationId());
    assertEquals(Errors.REBALANCE_IN_PROGRESS, group.validateCommit(new MemberGeneration(a, null, 2)), "while the leader assigns");
    group.sync(new SyncRequest(a, null, 2, null, null, List.of()));
    assertEquals(Errors.ILLEGAL_GENERATION, group.validateCommit(new MemberGeneration(a, null, 1)));
    assertEquals(Errors.NONE, group.validateCommit(new MemberGeneration(a, null, 2)));
    assertEquals(Errors.UNKNOWN_MEMBER_ID, group.validateCommit(new MemberGeneration("", null, -1)), "admin commits need an empty group");
  }

  @Test
  void anExpiredSessionRemovesTheMemberAndTheLastOneLeavingEmptiesTheGroup() {
    String a = newMember();
    group.joinDeadlinePassed();
    group.sync(new SyncRequest(a, null, 1, null, null, List.of()));
    group.drainEffects();
    group.sessionExpired(a, 0);
    assertEquals(ClassicGroup.State.EMPTY, group.state());
    assertEquals(2, group.generationId());
    assertTrue(group.drainEffects().removedMembers.contains(a));
    assertEquals(Errors.NONE, group.validateCommit(new MemberGeneration("", null, -1)));
    assertEquals(Errors.NONE, group.validateCommit(new MemberGeneration(a, null, -1)), "without generation, as Kafka");
    assertEquals(Errors.UNKNOWN_MEMBER_ID, group.validateCommit(new MemberGeneration(a, null, 2)));
  }

  /** A stable group led by static member "instance" with a dynamic follower; returns the leader's member id. */
  private String stableGroupLedByStaticMember() {
    ClassicGroup.Joined first = group.join(join("", "instance", RANGE), 0);
    assertNull(first.result(), "static members get no MEMBER_ID_REQUIRED");
    newMember();
    group.joinDeadlinePassed();
    group.drainEffects();
    group.sync(new SyncRequest(first.memberId(), "instance", 1, null, null, List.of()));
    return first.memberId();
  }

  @Test
  void aRestartedStaticLeaderKeepsTheGenerationAndSkipsTheAssignment() {
    String old = stableGroupLedByStaticMember();

    ClassicGroup.Joined restarted = group.join(join("", "instance", RANGE, true), 0);
    JoinResult answer = restarted.result();
    assertNotNull(answer, "answered at once: no rebalance");
    assertEquals(ClassicGroup.State.STABLE, group.state());
    assertEquals(1, answer.generationId());
    assertEquals(restarted.memberId(), answer.leaderId());
    assertTrue(answer.skipAssignment(), "the leader keeps the current assignment");
    assertEquals(2, answer.members().size());
    assertEquals(Errors.FENCED_INSTANCE_ID, group.heartbeat(new MemberGeneration(old, "instance", 1)));
    assertEquals(Errors.NONE, group.heartbeat(new MemberGeneration(restarted.memberId(), "instance", 1)));
  }

  @Test
  void aRestartedStaticLeaderOfAnOlderClientIsToldToFollow() {
    String old = stableGroupLedByStaticMember();

    JoinResult answer = group.join(join("", "instance", RANGE, false), 0).result();
    assertNotNull(answer, "answered at once: no rebalance");
    assertEquals(1, answer.generationId());
    assertEquals(old, answer.leaderId(), "the old member id leads, so the client syncs as a follower");
    assertFalse(answer.skipAssignment());
    assertEquals(List.of(), answer.members());
  }

  @Test
  void aRestartedStaticMemberThatChangesTheGroupsProtocolRebalancesIt() {
    Protocol range = new Protocol("range", new byte[] {1});
    Protocol roundRobin = new Protocol("roundrobin", new byte[] {2});
    String first = group.join(join("", "instance", List.of(range, roundRobin)), 0).memberId();
    group.joinDeadlinePassed();
    group.drainEffects();
    group.sync(new SyncRequest(first, "instance", 1, null, null, List.of()));

    JoinResult answer = group.join(join("", "instance", List.of(roundRobin, range)), 0).result();
    assertNotNull(answer, "the only member rejoined: the join completes at once");
    assertEquals(2, answer.generationId(), "a new generation");
    assertEquals("roundrobin", answer.protocolName());
  }

  @Test
  void membersThatDoNotRejoinOrSyncInTimeAreRemoved() {
    String a = newMember();
    String b = newMember();
    group.joinDeadlinePassed();
    group.sync(new SyncRequest(a, null, 1, null, null, List.of()));
    group.drainEffects();

    group.join(join(a, null, RANGE), 0);
    assertEquals(Duration.ofMillis(5000), group.drainEffects().joinDeadline, "the rebalance timeout");
    group.joinDeadlinePassed();
    ClassicGroup.Effects effects = group.drainEffects();
    assertTrue(effects.removedMembers.contains(b), "b did not rejoin within the rebalance timeout");
    assertEquals(2, effects.joinReplies.get(a).generationId());

    String c = newMember();
    group.drainEffects();
    group.join(join(a, null, RANGE), 0);
    effects = group.drainEffects();
    assertEquals(3, effects.joinReplies.get(c).generationId());
    assertTrue(group.sync(new SyncRequest(c, null, 3, null, null, List.of())).isEmpty());
    group.syncDeadlinePassed(3, 0);
    effects = group.drainEffects();
    assertTrue(effects.removedMembers.contains(a), "the leader never synced");
    assertEquals(Errors.REBALANCE_IN_PROGRESS.code(), effects.syncReplies.get(c).errorCode());
    assertEquals(ClassicGroup.State.PREPARING_REBALANCE, group.state());
  }

  @Test
  void anUnusedMemberIdIsForgotten() {
    ClassicGroup.Joined first = group.join(join("", null, RANGE), 0);
    assertEquals(Duration.ofMillis(1000), group.drainEffects().pendingMemberTimeouts.get(first.memberId()));
    group.pendingMemberExpired(first.memberId());
    assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), group.join(join(first.memberId(), null, RANGE), 0).result().errorCode());
  }

  @Test
  void joinsWithBadTimeoutsOrProtocolsAreRefused() {
    newMember();
    JoinRequest tooShort = new JoinRequest("", null, "c", "/h", 10, 5000, "consumer", RANGE, true, true);
    assertEquals(Errors.INVALID_SESSION_TIMEOUT.code(), group.join(tooShort, 0).result().errorCode());
    JoinRequest otherProtocol = join("", null, List.of(new Protocol("roundrobin", new byte[0])));
    assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL.code(), group.join(otherProtocol, 0).result().errorCode());
  }
}
