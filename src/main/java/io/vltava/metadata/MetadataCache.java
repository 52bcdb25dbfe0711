package io.vltava.metadata;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A node's local view of the cluster metadata. Readers take {@link #current()} without locking;
 * a state is only replaced by a newer version, so a late or repeated update never rolls it back.
 */
public final class MetadataCache {
  private final int localNodeId;
  private final List<Consumer<ClusterState>> listeners = new CopyOnWriteArrayList<>();
  private volatile ClusterState current = ClusterState.empty();
  private volatile int controllerId = -1;

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
    return controllerId;
  }

  /** Applies {@code state} if it is newer than the current one and tells every listener. */
  public synchronized void update(ClusterState state, int controllerNodeId) {
    controllerId = controllerNodeId;
    if (state.version() <= current.version() && current.version() != 0) {
      return;
    }
    current = state;
    listeners.forEach(listener -> listener.accept(state));
  }

  /** Calls {@code listener} with every future state, and now with the current one. */
  public synchronized void subscribe(Consumer<ClusterState> listener) {
    listeners.add(listener);
    listener.accept(current);
  }
}
