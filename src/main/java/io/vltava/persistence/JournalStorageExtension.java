package io.vltava.persistence;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * How the journal and snapshot store plugins, which Pekko creates by reflection, find the node's
 * storage: the node registers it here once at start-up; the plugins' operations wait for that.
 */
public final class JournalStorageExtension implements Extension {

  private static final ExtensionId<JournalStorageExtension> ID = new ExtensionId<>() {
    @Override
    public JournalStorageExtension createExtension(ActorSystem<?> system) {
      return new JournalStorageExtension();
    }
  };

  private final CompletableFuture<JournalStore> store = new CompletableFuture<>();
  private final CompletableFuture<SnapshotTopicStore> snapshotStore = new CompletableFuture<>();

  private JournalStorageExtension() {}

  public static JournalStorageExtension get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** Registers the journal's and the snapshot store's storage; a second registration is refused. */
  public void register(JournalStorage journal, JournalStorage snapshots) {
    if (!store.complete(new JournalStore(journal)) || !snapshotStore.complete(new SnapshotTopicStore(snapshots))) {
      throw new IllegalStateException("journal storage is already registered");
    }
  }

  public CompletionStage<JournalStore> store() {
    return store;
  }

  public CompletionStage<SnapshotTopicStore> snapshotStore() {
    return snapshotStore;
  }
}
