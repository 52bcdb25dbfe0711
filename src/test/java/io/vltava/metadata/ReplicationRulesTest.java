package io.vltava.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.metadata.ReplicationRules.FollowerPosition;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplicationRulesTest {

  @Test
  void theHighWatermarkIsTheSmallestLogEndOffsetInTheIsr() {
    Map<Integer, FollowerPosition> followers = Map.of(
        2, new FollowerPosition(80, 0, 0, 0), 3, new FollowerPosition(10, 0, 0, 0));
    assertEquals(80, ReplicationRules.highWatermark(1, 100, List.of(1, 2), followers), "replica 3 is not in the ISR");
    assertEquals(10, ReplicationRules.highWatermark(1, 100, List.of(1, 2, 3), followers));
    assertEquals(100, ReplicationRules.highWatermark(1, 100, List.of(1), followers));
    assertEquals(0, ReplicationRules.highWatermark(1, 100, List.of(1, 4), followers), "an unheard-of member holds it back");
  }

  @Test
  void whileAFollowerIsProposedToJoinTheHighWatermarkWaitsForItToo() {
    Map<Integer, FollowerPosition> followers = Map.of(
        2, new FollowerPosition(100, 0, 0, 0), 3, new FollowerPosition(95, 0, 0, 0));
    List<Integer> committed = List.of(1, 2);
    assertEquals(100, ReplicationRules.highWatermark(1, 100, committed, followers));
    List<Integer> maximal = ReplicationRules.maximalIsr(committed, List.of(1, 2, 3));
    assertEquals(List.of(1, 2, 3), maximal);
    assertEquals(95, ReplicationRules.highWatermark(1, 100, maximal, followers), "replica 3 may lead once admitted");
    assertEquals(List.of(1, 2, 3), ReplicationRules.maximalIsr(List.of(1, 2, 3), List.of(1, 2)), "a leaving one counts until it is out");
  }

  @Test
  void followersThatFellBehindForTooLongLeaveTheIsr() {
    Map<Integer, FollowerPosition> followers = Map.of(
        2, new FollowerPosition(100, 9_000, 100, 9_000), 3, new FollowerPosition(50, 1_000, 60, 1_500));
    assertEquals(List.of(1, 2), ReplicationRules.shrink(1, List.of(1, 2, 3), followers, 10_000, 5_000, 0));
    assertEquals(List.of(1, 2, 3), ReplicationRules.shrink(1, List.of(1, 2, 3), followers, 5_500, 5_000, 0));
    assertEquals(List.of(1, 2, 3, 4), ReplicationRules.shrink(1, List.of(1, 2, 3, 4), followers, 10_000, 5_000, 8_000),
        "a new leader counts lag from its election, also for followers it has not heard from");
  }

  @Test
  void aFollowerCatchingUpWithThePreviousEndCountsAsCaughtUpThen() {
    FollowerPosition first = ReplicationRules.afterFetch(null, 90, 100, 1_000);
    assertEquals(-1, first.lastCaughtUpTimeMs());
    FollowerPosition second = ReplicationRules.afterFetch(first, 100, 120, 1_200);
    assertEquals(1_000, second.lastCaughtUpTimeMs(), "it reached the end the leader had at the previous fetch");
    FollowerPosition third = ReplicationRules.afterFetch(second, 120, 120, 1_400);
    assertEquals(1_400, third.lastCaughtUpTimeMs());
  }

  @Test
  void aFollowerMayJoinOnlyWithEverythingCommittedAndTheCurrentEpochsStart() {
    assertTrue(ReplicationRules.mayJoin(100, 100, 90));
    assertFalse(ReplicationRules.mayJoin(99, 100, 90));
    assertFalse(ReplicationRules.mayJoin(100, 80, 120));
  }
}
