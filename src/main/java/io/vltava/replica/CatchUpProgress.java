package io.vltava.replica;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * How far the followers out of the ISR of the partitions this node leads are behind, as their
 * leaders see them: a follower that lagged too long, restarted, or was added by a reassignment.
 * Leaders report each such follower on every ISR check ({@link #behind}); a follower is logged when
 * it starts catching up and then at most once per {@code logInterval}, with how fast it closes the
 * gap, and once more when it is back in sync. Thread-safe: each partition's leader actor reports
 * its own followers, the metrics and the console read {@link #followers}.
 */
public final class CatchUpProgress {

  /** One follower catching up: where it is, and the rate its byte gap closed at since the last report (negative: widening). */
  public record Follower(
      TopicPartition partition, int replica, long offsetsBehind, long bytesBehind, double closingBytesPerSecond,
      boolean reassigning, long sinceMs) {}

  private record Key(TopicPartition partition, int replica) {}

  /** The latest report, and the one last logged, whose gap the rate is measured against. */
  private record Tracked(Follower latest, long loggedAtMs, long loggedBytesBehind) {}

  private final Duration logInterval;
  private final ConcurrentHashMap<Key, Tracked> tracked = new ConcurrentHashMap<>();

  public CatchUpProgress(Duration logInterval) {
    this.logInterval = logInterval;
  }

  /**
   * Follower {@code replica} of {@code partition} is out of the ISR, {@code offsetsBehind} offsets
   * and {@code bytesBehind} bytes behind its leader at {@code nowMs}; a line to log when one is due.
   */
  public Optional<String> behind(TopicPartition partition, int replica, long offsetsBehind, long bytesBehind, boolean reassigning,
      long nowMs) {
    Key key = new Key(partition, replica);
    String[] line = new String[1];
    tracked.compute(key, (k, previous) -> {
      if (previous == null) {
        Follower first = new Follower(partition, replica, offsetsBehind, bytesBehind, 0, reassigning, nowMs);
        line[0] = String.format(Locale.ROOT, "%s %d of %s is catching up: %d offsets (%s) behind the leader",
            reassigning ? "New replica" : "Replica", replica, partition, offsetsBehind, LogRecoveryProgress.humanBytes(bytesBehind));
        return new Tracked(first, nowMs, bytesBehind);
      }
      long sinceLogMs = nowMs - previous.loggedAtMs();
      double rate = sinceLogMs <= 0 ? previous.latest().closingBytesPerSecond()
          : (previous.loggedBytesBehind() - bytesBehind) * 1000.0 / sinceLogMs;
      Follower latest = new Follower(partition, replica, offsetsBehind, bytesBehind, rate, reassigning, previous.latest().sinceMs());
      if (sinceLogMs < logInterval.toMillis()) {
        return new Tracked(latest, previous.loggedAtMs(), previous.loggedBytesBehind());
      }
      line[0] = String.format(Locale.ROOT, "%s %d of %s is %d offsets (%s) behind the leader, %s",
          reassigning ? "New replica" : "Replica", replica, partition, offsetsBehind, LogRecoveryProgress.humanBytes(bytesBehind),
          pace(rate, bytesBehind));
      return new Tracked(latest, nowMs, bytesBehind);
    });
    return Optional.ofNullable(line[0]);
  }

  /** Follower {@code replica} of {@code partition} is in sync (or no longer a replica): a line if it was catching up. */
  public Optional<String> inSync(TopicPartition partition, int replica, long nowMs) {
    Tracked previous = tracked.remove(new Key(partition, replica));
    if (previous == null) {
      return Optional.empty();
    }
    return Optional.of(String.format(Locale.ROOT, "%s %d of %s caught up with the leader after %.1f s",
        previous.latest().reassigning() ? "New replica" : "Replica", replica, partition,
        (nowMs - previous.latest().sinceMs()) / 1000.0));
  }

  /** Forgets followers of {@code partition} that are no longer among its {@code replicas} (a reassignment removed them). */
  public void retainReplicas(TopicPartition partition, List<Integer> replicas) {
    tracked.keySet().removeIf(key -> key.partition().equals(partition) && !replicas.contains(key.replica()));
  }

  /** This node no longer leads {@code partition}: its followers are reported by the new leader. */
  public void forget(TopicPartition partition) {
    tracked.keySet().removeIf(key -> key.partition().equals(partition));
  }

  /** Every follower catching up now, by partition and replica. */
  public List<Follower> followers() {
    return tracked.values().stream().map(Tracked::latest)
        .sorted(Comparator.comparing((Follower f) -> f.partition().toString()).thenComparingInt(Follower::replica))
        .toList();
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
