package io.vltava.metadata;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A node's local view of the cluster metadata. Readers take {@link #current()} without locking;
 * a state is only replaced by a newer version, so a late or repeated update never rolls it back.
 */
public final class MetadataCache {
  private final int localNodeId;
  private final List<Consumer<ClusterState>> listeners = new CopyOnWriteArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private volatile ClusterState current = ClusterState.empty();

  private record Waiter(Predicate<ClusterState> condition, CompletableFuture<ClusterState> future) {}

  public MetadataCache(int localNodeId) {
    this.localNodeId = localNodeId;
  }

  public int localNodeId() {
    return localNodeId;
  }

  public ClusterState current() {
    return current;
  }

  public int controllerId() {
    return current.controllerId();
  }

  /** Applies {@code state} if it is newer than the current one and tells every listener. */
  public synchronized void update(ClusterState state) {
    if (state.version() <= current.version()) {
      return;
    }
    current = state;
    listeners.forEach(listener -> listener.accept(state));
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter waiter = it.next();
      // A waiter its caller gave up on (timed out) is done already and leaves too.
      if (waiter.future().isDone() || waiter.condition().test(state)) {
        waiter.future().complete(state);
        it.remove();
      }
    }
  }

  /** Completes once this node's view holds {@code version} or a later one: read-your-writes for a node's clients. */
  public CompletableFuture<ClusterState> awaitVersion(long version) {
    return awaitState(state -> state.version() >= version);
  }

  /** Completes with the first state, the current one or a later one, that meets {@code condition}. */
  public synchronized CompletableFuture<ClusterState> awaitState(Predicate<ClusterState> condition) {
    if (condition.test(current)) {
      return CompletableFuture.completedFuture(current);
    }
    CompletableFuture<ClusterState> future = new CompletableFuture<>();
    waiters.add(new Waiter(condition, future));
    return future;
  }

  /** Calls {@code listener} with every future state, and now with the current one. */
  public synchronized void subscribe(Consumer<ClusterState> listener) {
    listeners.add(listener);
    listener.accept(current);
  }
}
