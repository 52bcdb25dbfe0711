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

  private record Key(TopicPartition partition, int replica) {}

  /** A follower broker's total gap at the last report, to measure the next one's rate against. */
  private record Reported(long bytesBehind, long atMs) {}

  private final ConcurrentHashMap<Key, Follower> followers = new ConcurrentHashMap<>();
  private final Map<Integer, Reported> reported = new TreeMap<>();

  /**
   * Follower {@code replica} of {@code partition} is out of the ISR, {@code offsetsBehind} offsets
   * and {@code bytesBehind} bytes behind its leader at {@code nowMs}; a line when it starts catching up.
   */
  public Optional<String> behind(TopicPartition partition, int replica, long offsetsBehind, long bytesBehind, boolean reassigning,
      long nowMs) {
    Key key = new Key(partition, replica);
    Follower previous = followers.get(key);
    followers.put(key, new Follower(partition, replica, offsetsBehind, bytesBehind, reassigning,
        previous == null ? nowMs : previous.sinceMs()));
    if (previous != null) {
      return Optional.empty();
    }
    return Optional.of(String.format(Locale.ROOT, "%s %d of %s is catching up: %d offsets (%s) behind the leader",
        reassigning ? "New replica" : "Replica", replica, partition, offsetsBehind, LogRecoveryProgress.humanBytes(bytesBehind)));
  }

  /** Follower {@code replica} of {@code partition} is in sync: a line if it was catching up. */
  public Optional<String> inSync(TopicPartition partition, int replica, long nowMs) {
    Follower previous = followers.remove(new Key(partition, replica));
    if (previous == null) {
      return Optional.empty();
    }
    return Optional.of(String.format(Locale.ROOT, "%s %d of %s caught up with the leader after %.1f s",
        previous.reassigning() ? "New replica" : "Replica", replica, partition, (nowMs - previous.sinceMs()) / 1000.0));
  }

  /** Forgets followers of {@code partition} other than {@code catchingUp} (back in sync, removed by a reassignment, or their broker gone). */
  public void retainReplicas(TopicPartition partition, List<Integer> catchingUp) {
    followers.keySet().removeIf(key -> key.partition().equals(partition) && !catchingUp.contains(key.replica()));
  }

  /** This node no longer leads {@code partition}: its followers are reported by the new leader. */
  public void forget(TopicPartition partition) {
    followers.keySet().removeIf(key -> key.partition().equals(partition));
  }

  /** Every follower catching up now, by partition and replica. */
  public List<Follower> followers() {
    return followers.values().stream()
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
