package io.vltava.replica;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;

/**
 * Where long-polling fetches wait: a fetch that found too few bytes waits here until any of its
 * partitions gets new data or its max wait passes, then reads again.
 */
final class DataArrivals {
  private final ConcurrentHashMap<TopicPartition, List<CompletableFuture<Void>>> waiters = new ConcurrentHashMap<>();

  /** Completes when any of {@code partitions} has new data, or after {@code maxWait}. */
  CompletionStage<Void> await(Collection<TopicPartition> partitions, Duration maxWait) {
    CompletableFuture<Void> arrival = new CompletableFuture<Void>().completeOnTimeout(null, maxWait.toMillis(), TimeUnit.MILLISECONDS);
    for (TopicPartition partition : partitions) {
      List<CompletableFuture<Void>> list = waiters.computeIfAbsent(partition, p -> new CopyOnWriteArrayList<>());
      list.removeIf(CompletableFuture::isDone);
      list.add(arrival);
    }
    return arrival;
  }

  void arrived(TopicPartition partition) {
    List<CompletableFuture<Void>> list = waiters.get(partition);
    if (list != null && !list.isEmpty()) {
      for (CompletableFuture<Void> waiter : list) {
        waiter.complete(null);
      }
      // Not clear(): a fetch may have registered since the loop began, and must not be dropped.
      list.removeIf(CompletableFuture::isDone);
    }
  }
}
