package io.vltava.replica;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * How far the followers out of the ISR of the partitions this node leads are behind, as their
 * leaders see them: a follower that lagged too long, restarted, or was added by a reassignment.
 * Each partition's leader reports its followers on every ISR check ({@link #behind}), which logs
 * a follower once when it starts catching up and once when it is back in sync ({@link #inSync}).
 * In between, {@link #report} sums up each follower broker over all its partitions, so that a
 * broker catching up on hundreds of partitions gives one line per report, with how fast the gap
 * closes. Thread-safe: the partitions' actors report, the metrics, the console and the periodic
 * report read.
 */
public final class CatchUpProgress {

  /** One follower replica catching up: how far behind its leader it is, since when. */
  public record Follower(
      TopicPartition partition, int replica, long offsetsBehind, long bytesBehind, boolean reassigning, long sinceMs) {}

  /** A follower broker's total gap at the last report, to measure the next one's rate against. */
  private record Reported(long bytesBehind, long atMs) {}

  /**
   * Per partition, its followers catching up by replica. Keyed by partition so that each leader's
   * check touches only its own entry (a scan of every partition's followers per check was quadratic
   * in the partitions: thousands of leaders each walked thousands of entries twice a second). The
   * inner maps are replaced, never changed, so readers iterate them safely.
   */
  private final ConcurrentHashMap<TopicPartition, Map<Integer, Follower>> followers = new ConcurrentHashMap<>();
  private final Map<Integer, Reported> reported = new TreeMap<>();

  /**
   * Follower {@code replica} of {@code partition} is out of the ISR, {@code offsetsBehind} offsets
   * and {@code bytesBehind} bytes behind its leader at {@code nowMs}; a line when it starts catching up.
   */
  public Optional<String> behind(TopicPartition partition, int replica, long offsetsBehind, long bytesBehind, boolean reassigning,
      long nowMs) {
    Follower[] previous = new Follower[1];
    followers.compute(partition, (p, byReplica) -> {
      Map<Integer, Follower> updated = byReplica == null ? new TreeMap<>() : new TreeMap<>(byReplica);
      previous[0] = updated.get(replica);
      updated.put(replica, new Follower(partition, replica, offsetsBehind, bytesBehind, reassigning,
          previous[0] == null ? nowMs : previous[0].sinceMs()));
      return updated;
    });
    if (previous[0] != null) {
      return Optional.empty();
    }
    return Optional.of(String.format(Locale.ROOT, "%s %d of %s is catching up: %d offsets (%s) behind the leader",
        reassigning ? "New replica" : "Replica", replica, partition, offsetsBehind, LogRecoveryProgress.humanBytes(bytesBehind)));
  }

  /** Follower {@code replica} of {@code partition} is in sync: a line if it was catching up. */
  public Optional<String> inSync(TopicPartition partition, int replica, long nowMs) {
    Follower[] previous = new Follower[1];
    followers.computeIfPresent(partition, (p, byReplica) -> {
      previous[0] = byReplica.get(replica);
      return previous[0] == null ? byReplica : without(byReplica, List.of(replica));
    });
    if (previous[0] == null) {
      return Optional.empty();
    }
    return Optional.of(String.format(Locale.ROOT, "%s %d of %s caught up with the leader after %.1f s",
        previous[0].reassigning() ? "New replica" : "Replica", replica, partition, (nowMs - previous[0].sinceMs()) / 1000.0));
  }

  /** Forgets followers of {@code partition} other than {@code catchingUp} (back in sync, removed by a reassignment, or their broker gone). */
  public void retainReplicas(TopicPartition partition, List<Integer> catchingUp) {
    followers.computeIfPresent(partition, (p, byReplica) -> {
      List<Integer> gone = byReplica.keySet().stream().filter(replica -> !catchingUp.contains(replica)).toList();
      return gone.isEmpty() ? byReplica : without(byReplica, gone);
    });
  }

  /** This node no longer leads {@code partition}: its followers are reported by the new leader. */
  public void forget(TopicPartition partition) {
    followers.remove(partition);
  }

  /** A copy of {@code byReplica} without {@code replicas}; null (no entry) when none is left. */
  private static Map<Integer, Follower> without(Map<Integer, Follower> byReplica, List<Integer> replicas) {
    Map<Integer, Follower> left = new TreeMap<>(byReplica);
    left.keySet().removeAll(replicas);
    return left.isEmpty() ? null : left;
  }

  /** Every follower catching up now, by partition and replica. */
  public List<Follower> followers() {
    return followers.values().stream()
        .flatMap(byReplica -> byReplica.values().stream())
        .sorted(Comparator.comparing((Follower f) -> f.partition().toString()).thenComparingInt(Follower::replica))
        .toList();
  }

  /**
   * One line per follower broker still catching up at {@code nowMs}: its partitions, offsets and
   * bytes behind in total, and the rate the byte gap closed at since the previous report.
   */
  public synchronized List<String> report(long nowMs) {
    Map<Integer, List<Follower>> byReplica = new TreeMap<>();
    followers().forEach(f -> byReplica.computeIfAbsent(f.replica(), r -> new ArrayList<>()).add(f));
    reported.keySet().retainAll(byReplica.keySet());
    List<String> lines = new ArrayList<>();
    byReplica.forEach((replica, partitions) -> {
      long offsetsBehind = partitions.stream().mapToLong(Follower::offsetsBehind).sum();
      long bytesBehind = partitions.stream().mapToLong(Follower::bytesBehind).sum();
      long added = partitions.stream().filter(Follower::reassigning).count();
      String which = partitions.size() == 1
          ? (added == 1 ? "New replica " : "Replica ") + replica + " of " + partitions.get(0).partition()
          : "Replica " + replica + " of " + partitions.size() + " partitions" + (added > 0 ? " (" + added + " added by reassignment)" : "");
      Reported previous = reported.put(replica, new Reported(bytesBehind, nowMs));
      String pace = previous == null || nowMs <= previous.atMs() ? ""
          : ", " + pace((previous.bytesBehind() - bytesBehind) * 1000.0 / (nowMs - previous.atMs()), bytesBehind);
      lines.add(String.format(Locale.ROOT, "%s is %d offsets (%s) behind the leader%s",
          which, offsetsBehind, LogRecoveryProgress.humanBytes(bytesBehind), pace));
    });
    return lines;
  }

  private static String pace(double closingBytesPerSecond, long bytesBehind) {
    if (closingBytesPerSecond > 0) {
      return String.format(Locale.ROOT, "closing the gap at %s/s (about %d s to go)",
          LogRecoveryProgress.humanBytes((long) closingBytesPerSecond), (long) Math.ceil(bytesBehind / closingBytesPerSecond));
    }
    if (closingBytesPerSecond < 0) {
      return String.format(Locale.ROOT, "falling behind by %s/s", LogRecoveryProgress.humanBytes((long) -closingBytesPerSecond));
    }
    return "not closing the gap";
  }
}
