package io.vltava.metadata;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The leader's replication arithmetic, kept out of the actor so it can be tested alone: the high
 * watermark, and which followers leave or join the in-sync replicas.
 */
public final class ReplicationRules {
  private ReplicationRules() {}

  /**
   * Where a follower is, as its last fetch told the leader, and the leader's log end offset and
   * clock at that fetch (the next fetch tells whether the follower had caught up with it).
   */
  public record FollowerPosition(long logEndOffset, long lastCaughtUpTimeMs, long lastFetchLeaderLogEndOffset, long lastFetchTimeMs) {}

  /**
   * The smallest log end offset in the ISR: every replica in sync holds every record below it. A
   * member whose position the leader has not heard yet holds it back (it may be anywhere).
   */
  public static long highWatermark(int leaderId, long leaderLogEndOffset, List<Integer> isr, Map<Integer, FollowerPosition> followers) {
    long highWatermark = leaderLogEndOffset;
    for (int replica : isr) {
      if (replica != leaderId) {
        FollowerPosition position = followers.get(replica);
        highWatermark = Math.min(highWatermark, position == null ? 0 : position.logEndOffset());
      }
    }
    return highWatermark;
  }

  /**
   * The replicas the high watermark must wait for while ISR changes are proposed but not yet
   * decided: the committed ISR and every proposal made from it (Kafka's "maximal ISR", KIP-497). A
   * joining follower counts at once, so that when the controller admits it, and perhaps makes it
   * leader, it already holds every acknowledged record; a leaving one counts until it is out.
   */
  public static List<Integer> maximalIsr(List<Integer> committed, List<Integer> proposed) {
    List<Integer> maximal = new ArrayList<>(committed);
    for (int replica : proposed) {
      if (!maximal.contains(replica)) {
        maximal.add(replica);
      }
    }
    return maximal;
  }

  /**
   * The ISR without the followers that have not caught up for {@code lagMaxMs}; the leader always
   * stays. Lag counts from {@code leaderSinceMs} at the latest: a new leader has heard from nobody
   * yet, and its followers were in sync when it was elected.
   */
  public static List<Integer> shrink(
      int leaderId, List<Integer> isr, Map<Integer, FollowerPosition> followers, long nowMs, long lagMaxMs, long leaderSinceMs) {
    List<Integer> kept = new ArrayList<>();
    for (int replica : isr) {
      FollowerPosition position = followers.get(replica);
      long lastCaughtUp = Math.max(leaderSinceMs, position == null ? -1 : position.lastCaughtUpTimeMs());
      boolean lagging = replica != leaderId && nowMs - lastCaughtUp > lagMaxMs;
      if (!lagging) {
        kept.add(replica);
      }
    }
    return kept;
  }

  /**
   * Whether an out-of-sync follower may rejoin: it holds everything committed and has reached the
   * current leader epoch's start, so it cannot be missing records of an older leader.
   */
  public static boolean mayJoin(long followerLogEndOffset, long highWatermark, long leaderEpochStartOffset) {
    return followerLogEndOffset >= highWatermark && followerLogEndOffset >= leaderEpochStartOffset;
  }

  /**
   * Kafka's rule for "caught up": a fetch from the leader's log end offset is caught up now; one
   * that reaches what the leader's end was at the previous fetch was caught up at that time. Under
   * steady load a follower is always slightly behind the live end, and the second clause keeps it in sync.
   */
  public static FollowerPosition afterFetch(FollowerPosition previous, long fetchOffset, long leaderLogEndOffset, long nowMs) {
    long lastCaughtUp;
    if (fetchOffset >= leaderLogEndOffset) {
      lastCaughtUp = nowMs;
    } else if (previous != null && fetchOffset >= previous.lastFetchLeaderLogEndOffset()) {
      lastCaughtUp = previous.lastFetchTimeMs();
    } else {
      lastCaughtUp = previous == null ? -1 : previous.lastCaughtUpTimeMs();
    }
    return new FollowerPosition(fetchOffset, lastCaughtUp, leaderLogEndOffset, nowMs);
  }
}
