package io.vltava.persistence;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * The Pekko Persistence journal plugin (id {@code vltava.journal}) that keeps events in Vltava's
 * internal journal topic. Each event is its {@link PersistentRepr} serialized with Pekko
 * serialization; the {@link JournalStore} places, indexes and replays them.
 */
public final class VltavaJournal extends AsyncWriteJournal {
  private final CompletionStage<JournalStore> store;
  private final Serialization serialization;

  public VltavaJournal() {
    this.store = JournalStorageExtension.get(Adapter.toTyped(context().system())).store();
    this.serialization = SerializationExtension.get(context().system());
  }

  @Override
  public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
    List<CompletableFuture<Optional<Exception>>> results = new ArrayList<>();
    for (AtomicWrite write : messages) {
      List<JournalStore.Event> events = new ArrayList<>();
      try {
        for (PersistentRepr repr : CollectionConverters.asJava(write.payload())) {
          events.add(new JournalStore.Event(repr.sequenceNr(), serialization.serialize(repr).get()));
        }
      } catch (Exception e) {
        // An event that cannot be serialized rejects its write; the entity gets onPersistRejected.
        results.add(CompletableFuture.completedFuture(Optional.of(e)));
        continue;
      }
      results.add(store.thenCompose(s -> s.write(write.persistenceId(), events))
          .thenApply(done -> Optional.<Exception>empty()).toCompletableFuture());
    }
    CompletionStage<Iterable<Optional<Exception>>> all = CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
        .thenApply(done -> results.stream().map(CompletableFuture::join).toList());
    return FutureConverters.asScala(all);
  }

  @Override
  public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    return FutureConverters.asScala(store.thenCompose(s -> s.delete(persistenceId, toSequenceNr)));
  }

  @Override
  public Future<Void> doAsyncReplayMessages(
      String persistenceId, long fromSequenceNr, long toSequenceNr, long max, Consumer<PersistentRepr> replayCallback) {
    return FutureConverters.asScala(store.thenCompose(s -> s.replay(persistenceId, fromSequenceNr, toSequenceNr, max,
        event -> replayCallback.accept(serialization.deserialize(event.payload(), PersistentRepr.class).get()))));
  }

  @Override
  public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
    return FutureConverters.asScala(store.thenCompose(s -> s.highestSeqNr(persistenceId)));
  }
}
