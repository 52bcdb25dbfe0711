package io.vltava.persistence;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.serialization.Snapshot;
import org.apache.pekko.persistence.snapshot.japi.SnapshotStore;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * The Pekko Persistence snapshot store plugin (id {@code vltava.snapshot-store}) that keeps
 * snapshots in Vltava's compacted internal snapshot topic. Each snapshot is serialized with Pekko
 * serialization (wrapped as Pekko's own file store does); the {@link SnapshotTopicStore}
 * places, finds and deletes them.
 */
public final class VltavaSnapshotStore extends SnapshotStore {
  private final CompletionStage<SnapshotTopicStore> store;
  private final Serialization serialization;

  public VltavaSnapshotStore() {
    this.store = JournalStorageExtension.get(Adapter.toTyped(context().system())).snapshotStore();
    this.serialization = SerializationExtension.get(context().system());
  }

  @Override
  public Future<Optional<SelectedSnapshot>> doLoadAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    return FutureConverters.asScala(store.thenCompose(s -> s.load(persistenceId, criteria(criteria))).thenApply(found ->
        found.map(snapshot -> SelectedSnapshot.create(
            new SnapshotMetadata(persistenceId, snapshot.seqNr(), snapshot.timestamp()),
            serialization.deserialize(snapshot.payload(), Snapshot.class).get().data()))));
  }

  @Override
  public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
    byte[] payload;
    try {
      payload = serialization.serialize(new Snapshot(snapshot)).get();
    } catch (Exception e) {
      return FutureConverters.asScala(CompletableFuture.failedFuture(e));
    }
    return FutureConverters.asScala(store.thenCompose(s -> s.save(metadata.persistenceId(),
        new SnapshotTopicStore.Snapshot(metadata.sequenceNr(), metadata.timestamp(), payload))));
  }

  @Override
  public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
    // Pekko passes timestamp 0 when the caller knows only the sequence number.
    long timestamp = metadata.timestamp();
    SnapshotTopicStore.Criteria exactly = new SnapshotTopicStore.Criteria(
        metadata.sequenceNr(), metadata.sequenceNr(), timestamp == 0 ? 0 : timestamp, timestamp == 0 ? Long.MAX_VALUE : timestamp);
    return FutureConverters.asScala(store.thenCompose(s -> s.delete(metadata.persistenceId(), exactly)));
  }

  @Override
  public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    return FutureConverters.asScala(store.thenCompose(s -> s.delete(persistenceId, criteria(criteria))));
  }

  private static SnapshotTopicStore.Criteria criteria(SnapshotSelectionCriteria criteria) {
    return new SnapshotTopicStore.Criteria(
        criteria.minSequenceNr(), criteria.maxSequenceNr(), criteria.minTimestamp(), criteria.maxTimestamp());
  }
}
