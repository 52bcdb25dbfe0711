package io.vltava.kafka;

import io.vltava.kafka.RequestContext.ConnectionIdentity;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.Scheduler;

/**
 * Connections muted for a throttled client (Kafka mutes the channel): a request on a muted
 * connection is not handled before the mute ends, and requests on one connection always start in
 * the order they arrived, also across a mute. An unmuted connection's requests start at once, on
 * the caller's thread. Thread-safe.
 */
final class ConnectionMutes {
  private final Scheduler scheduler;
  private final Executor executor;
  /** Per muted connection (the identity object is per connection), what its next request waits for. */
  private final Map<ConnectionIdentity, CompletableFuture<?>> gates = new IdentityHashMap<>();
  /** Whether {@link #gates} may hold anything: without any mute, requests pass without taking the lock. */
  private volatile boolean anyGates;

  ConnectionMutes(Scheduler scheduler, Executor executor) {
    this.scheduler = scheduler;
    this.executor = executor;
  }

  /** Starts {@code request} once the connection's mute has ended and its earlier requests have started. */
  <T> CompletionStage<T> inOrder(ConnectionIdentity connection, Supplier<CompletionStage<T>> request) {
    if (!anyGates) {
      return request.get();
    }
    CompletableFuture<CompletionStage<T>> started;
    synchronized (this) {
      CompletableFuture<?> gate = gates.get(connection);
      if (gate == null || gate.isDone()) {
        gates.remove(connection);
        anyGates = !gates.isEmpty();
        started = null;
      } else {
        // A request that failed to start still lets the next one start.
        started = settled(gate).thenApplyAsync(ignored -> request.get(), executor);
        // The next request waits for this one to have started; once it has, so has every earlier one.
        gates.put(connection, started);
      }
    }
    return started == null ? request.get() : started.thenCompose(stage -> stage);
  }

  /** Holds the connection's next requests back for {@code duration}. */
  void mute(ConnectionIdentity connection, Duration duration) {
    CompletableFuture<Void> unmuted = new CompletableFuture<>();
    scheduler.scheduleOnce(duration, () -> unmuted.complete(null), executorContext());
    synchronized (this) {
      // Connections that closed while muted leave a finished gate behind; drop those.
      gates.values().removeIf(CompletableFuture::isDone);
      CompletableFuture<?> previous = gates.get(connection);
      gates.put(connection, previous == null ? unmuted : settled(previous).thenCombine(unmuted, (a, b) -> null));
      anyGates = true;
    }
  }

  /** A response held back for {@code duration} (clients too old to throttle themselves, as Kafka delays theirs). */
  <T> CompletionStage<T> delayed(T value, Duration duration) {
    CompletableFuture<T> later = new CompletableFuture<>();
    scheduler.scheduleOnce(duration, () -> later.complete(value), executorContext());
    return later;
  }

  private static CompletableFuture<Void> settled(CompletableFuture<?> future) {
    return future.handle((value, failure) -> null);
  }

  private scala.concurrent.ExecutionContext executorContext() {
    return scala.concurrent.ExecutionContext.fromExecutor(executor);
  }
}
