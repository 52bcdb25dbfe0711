package io.vltava.persistence;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Utils;

/**
 * Events of many persistence ids in the partitions of a {@link JournalStorage}. A persistence id
 * always goes to partition murmur2(id) % partitions; its events and deletions are records in the
 * format {@link JournalRecords} describes (each event keyed by id and sequence number, so a
 * compacted journal topic gives back the space of deleted events). The first use of a partition
 * scans it once into a {@link JournalIndex}, so a replay reads only its own events. Each node has
 * its own index of a partition, and entities on other nodes append to the same partition; before
 * an entity recovers here, the index reads what was appended since it last looked.
 */
public final class JournalStore {
  /** One serialized event. */
  public record Event(long seqNr, byte[] payload) {}

  private final JournalStorage storage;
  private final ConcurrentHashMap<Integer, CompletableFuture<JournalIndex>> indexes = new ConcurrentHashMap<>();

  public JournalStore(JournalStorage storage) {
    this.storage = storage;
  }

  public int partitionOf(String persistenceId) {
    return Utils.toPositive(Utils.murmur2(persistenceId.getBytes(StandardCharsets.UTF_8))) % storage.partitionCount();
  }

  /** Appends the events of one atomic write in one batch, so they are stored all or none. */
  public CompletionStage<Void> write(String persistenceId, List<Event> events) {
    int partition = partitionOf(persistenceId);
    SimpleRecord[] records = events.stream()
        .map(e -> JournalRecords.event(persistenceId, e.seqNr(), e.payload()))
        .toArray(SimpleRecord[]::new);
    return index(partition).thenCompose(index ->
        storage.append(partition, MemoryRecords.withRecords(Compression.NONE, records)).thenAccept(firstOffset -> {
          for (int i = 0; i < events.size(); i++) {
            index.event(persistenceId, events.get(i).seqNr(), firstOffset + i);
          }
        }));
  }

  /**
   * Deletes the events up to {@code toSeqNr} (capped at the highest written): appends the deleted-to
   * marker, then a tombstone for each live event it deletes, in batches of bounded size, the marker
   * first. The marker alone makes the deletion: the index reads it, and compaction keeps it. A crash
   * before all tombstones are appended leaves their events on disk (space, never correctness: they
   * stay deleted); so does a journal topic that is not compacted, where tombstones do nothing.
   */
  public CompletionStage<Void> delete(String persistenceId, long toSeqNr) {
    int partition = partitionOf(persistenceId);
    return index(partition).thenCompose(index -> {
      long upTo = Math.min(toSeqNr, index.highestSeqNr(persistenceId));
      if (upTo <= index.deletedTo(persistenceId)) {
        return CompletableFuture.completedFuture(null);
      }
      List<SimpleRecord> records = new ArrayList<>();
      records.add(JournalRecords.deletedToMarker(persistenceId, upTo));
      index.liveSeqNrs(persistenceId, upTo).forEach(seqNr -> records.add(JournalRecords.tombstone(persistenceId, seqNr)));
      List<MemoryRecords> batches = JournalRecords.batches(records, JournalRecords.MAX_DELETION_BATCH_BYTES);
      CompletionStage<Void> appended = storage.append(partition, batches.get(0))
          .thenAccept(offset -> index.deleted(persistenceId, upTo));
      for (MemoryRecords tombstones : batches.subList(1, batches.size())) {
        appended = appended.thenCompose(done -> storage.append(partition, tombstones)).thenApply(offset -> null);
      }
      return appended;
    });
  }

  public CompletionStage<Long> highestSeqNr(String persistenceId) {
    return currentIndex(partitionOf(persistenceId)).thenApply(index -> index.highestSeqNr(persistenceId));
  }

  /** Calls {@code onEvent} with the live events in {@code [fromSeqNr, toSeqNr]}, at most {@code max}, in order. */
  public CompletionStage<Void> replay(String persistenceId, long fromSeqNr, long toSeqNr, long max, Consumer<Event> onEvent) {
    int partition = partitionOf(persistenceId);
    return currentIndex(partition).thenAcceptAsync(index -> {
      Map<Long, Record> chunk = Map.of();
      for (long offset : index.offsets(persistenceId, fromSeqNr, toSeqNr, max)) {
        Record record = chunk.get(offset);
        if (record == null) {
          chunk = PartitionReader.chunkAt(storage, partition, offset);
          record = chunk.get(offset);
        }
        JournalRecords.Entry entry = record == null ? null : JournalRecords.parse(record);
        if (!(entry instanceof JournalRecords.Event event) || !event.persistenceId().equals(persistenceId)) {
          throw new IllegalStateException("journal record " + persistenceId + " at offset " + offset
              + " of partition " + partition + " is gone");
        }
        onEvent.accept(new Event(event.seqNr(), Utils.toArray(record.value())));
      }
    }, storage.ioExecutor());
  }

  /** Every persistence id with events not deleted; loads the index of every partition. */
  public CompletionStage<Set<String>> persistenceIds() {
    List<CompletableFuture<JournalIndex>> all = new ArrayList<>();
    for (int p = 0; p < storage.partitionCount(); p++) {
      all.add(currentIndex(p));
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(done -> {
      Set<String> ids = new HashSet<>();
      all.forEach(index -> ids.addAll(index.join().livePersistenceIds()));
      return ids;
    });
  }

  private CompletableFuture<JournalIndex> index(int partition) {
    CompletableFuture<JournalIndex> index = indexes.computeIfAbsent(partition,
        p -> CompletableFuture.supplyAsync(() -> load(p), storage.ioExecutor()));
    // A failed load (the partition not open yet) is tried again by the next caller.
    index.whenComplete((loaded, error) -> {
      if (error != null) {
        indexes.remove(partition, index);
      }
    });
    return index;
  }

  /**
   * The partition's index with the records other nodes appended since it was last read. An entity
   * recovering here may have written its latest events from another node before it moved.
   */
  private CompletableFuture<JournalIndex> currentIndex(int partition) {
    return index(partition).thenApplyAsync(index -> catchUp(partition, index), storage.ioExecutor());
  }

  private JournalIndex load(int partition) {
    return catchUp(partition, new JournalIndex());
  }

  /** Reads the records from where the index stopped to the end into it (reading one twice is harmless). */
  private JournalIndex catchUp(int partition, JournalIndex index) {
    index.readUpTo(PartitionReader.readFrom(storage, partition, index.readUpTo(),
        record -> index.apply(JournalRecords.parse(record), record.offset())));
    return index;
  }
}
