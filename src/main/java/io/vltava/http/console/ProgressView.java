package io.vltava.http.console;

import io.vltava.metadata.ClusterState;
import io.vltava.metadata.PartitionState;
import io.vltava.metadata.TopicState;
import io.vltava.replica.CatchUpProgress;
import io.vltava.replica.LogRecoveryProgress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The console's view of the node's long operations: the start-up recovery of its partition logs,
 * the followers catching up with the partitions it leads (summed per follower broker, with the
 * rate their byte gap closes at and the time that leaves), and the cluster's reassignments. The
 * rate is measured over the totals {@link #sample sampled} in the last {@code rateWindowMs}, so a
 * page opened mid-way already has one. Thread-safe.
 */
final class ProgressView {
  record Recovery(int total, int finished, int remaining, long bytes, boolean complete) {}

  record FollowerPartition(String topic, int partition, long offsetsBehind, long bytesBehind, boolean reassigning, long sinceMs) {}

  /**
   * A follower broker's gap over all its partitions; {@code closingBytesPerSec} is null until two
   * samples exist (negative: falling behind), {@code secondsToGo} null unless the gap is closing.
   */
  record CatchingUp(int broker, int partitions, int reassigning, long offsetsBehind, long bytesBehind,
                    Double closingBytesPerSec, Long secondsToGo, List<FollowerPartition> followers) {}

  /** A partition being moved: {@code replicas} is the union of target and original, target first. */
  record Reassignment(String topic, int partition, int leader, List<Integer> replicas, List<Integer> isr,
                      List<Integer> adding, List<Integer> removing) {}

  record Page(Recovery recovery, List<CatchingUp> catchUp, List<Reassignment> reassignments) {}

  private record Total(long atMs, long bytesBehind) {}

  private final long rateWindowMs;
  private final Map<Integer, ArrayDeque<Total>> totals = new HashMap<>();

  ProgressView(long rateWindowMs) {
    this.rateWindowMs = rateWindowMs;
  }

  /** Records each follower broker's total byte gap at {@code nowMs}; brokers no longer catching up are forgotten. */
  synchronized void sample(List<CatchUpProgress.Follower> followers, long nowMs) {
    Map<Integer, Long> bytesByBroker = new HashMap<>();
    followers.forEach(f -> bytesByBroker.merge(f.replica(), f.bytesBehind(), Long::sum));
    totals.keySet().retainAll(bytesByBroker.keySet());
    bytesByBroker.forEach((broker, bytes) -> {
      ArrayDeque<Total> samples = totals.computeIfAbsent(broker, b -> new ArrayDeque<>());
      if (!samples.isEmpty() && samples.peekLast().atMs() >= nowMs) {
        return;
      }
      samples.addLast(new Total(nowMs, bytes));
      while (samples.peekFirst().atMs() < nowMs - rateWindowMs) {
        samples.removeFirst();
      }
    });
  }

  synchronized Page page(LogRecoveryProgress.Snapshot recovery, List<CatchUpProgress.Follower> followers, ClusterState state) {
    return new Page(
        new Recovery(recovery.total(), recovery.finished(), recovery.remaining(), recovery.bytesStarted(), recovery.complete()),
        catchUp(followers), reassignments(state));
  }

  private List<CatchingUp> catchUp(List<CatchUpProgress.Follower> followers) {
    Map<Integer, List<CatchUpProgress.Follower>> byBroker = new TreeMap<>();
    followers.forEach(f -> byBroker.computeIfAbsent(f.replica(), b -> new ArrayList<>()).add(f));
    List<CatchingUp> brokers = new ArrayList<>();
    byBroker.forEach((broker, partitions) -> {
      long offsetsBehind = partitions.stream().mapToLong(CatchUpProgress.Follower::offsetsBehind).sum();
      long bytesBehind = partitions.stream().mapToLong(CatchUpProgress.Follower::bytesBehind).sum();
      Double closing = closingBytesPerSec(totals.get(broker));
      Long secondsToGo = closing == null || closing <= 0 ? null : (long) Math.ceil(bytesBehind / closing);
      brokers.add(new CatchingUp(broker, partitions.size(), (int) partitions.stream().filter(CatchUpProgress.Follower::reassigning).count(),
          offsetsBehind, bytesBehind, closing, secondsToGo,
          partitions.stream().map(f -> new FollowerPartition(f.partition().topic(), f.partition().partition(), f.offsetsBehind(),
              f.bytesBehind(), f.reassigning(), f.sinceMs())).toList()));
    });
    return brokers;
  }

  private static Double closingBytesPerSec(ArrayDeque<Total> samples) {
    if (samples == null || samples.size() < 2) {
      return null;
    }
    Total first = samples.peekFirst();
    Total last = samples.peekLast();
    return (first.bytesBehind() - last.bytesBehind()) * 1000.0 / (last.atMs() - first.atMs());
  }

  private static List<Reassignment> reassignments(ClusterState state) {
    List<Reassignment> moving = new ArrayList<>();
    state.topics().values().stream().sorted(Comparator.comparing(TopicState::name)).forEach(topic -> {
      List<PartitionState> partitions = topic.partitions();
      for (int index = 0; index < partitions.size(); index++) {
        PartitionState p = partitions.get(index);
        if (p.isReassigning()) {
          moving.add(new Reassignment(topic.name(), index, p.leader(), p.replicas(), p.isr(), p.addingReplicas(), p.removingReplicas()));
        }
      }
    });
    return moving;
  }
}
