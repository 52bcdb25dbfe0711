package io.vltava.persistence;

import java.nio.ByteBuffer;
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
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Utils;

/**
 * Events of many persistence ids in the partitions of a {@link JournalStorage}. A persistence id
 * always goes to partition murmur2(id) % partitions; each event is a record keyed by the id with
 * its sequence number in the {@value #SEQ_NR_HEADER} header, and a deletion is a record without
 * value whose {@value #DELETED_TO_HEADER} header says up to which sequence number. The first use
 * of a partition scans it once into a {@link JournalIndex}, so a replay reads only its own events.
 * Each node has its own index of a partition, and entities on other nodes append to the same
 * partition; before an entity recovers here, the index reads what was appended since it last looked.
 */
public final class JournalStore {
  static final String SEQ_NR_HEADER = "seq-nr";
  static final String DELETED_TO_HEADER = "deleted-to";

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
        .map(e -> record(persistenceId, e.payload(), SEQ_NR_HEADER, e.seqNr()))
        .toArray(SimpleRecord[]::new);
    return index(partition).thenCompose(index ->
        storage.append(partition, MemoryRecords.withRecords(Compression.NONE, records)).thenAccept(firstOffset -> {
          for (int i = 0; i < events.size(); i++) {
            index.event(persistenceId, events.get(i).seqNr(), firstOffset + i);
          }
        }));
  }

  /** Deletes the events up to {@code toSeqNr} (capped at the highest written) with a tombstone record. */
  public CompletionStage<Void> delete(String persistenceId, long toSeqNr) {
    int partition = partitionOf(persistenceId);
    return index(partition).thenCompose(index -> {
      long upTo = Math.min(toSeqNr, index.highestSeqNr(persistenceId));
      if (upTo <= 0) {
        return CompletableFuture.completedFuture(null);
      }
      MemoryRecords tombstone = MemoryRecords.withRecords(Compression.NONE, record(persistenceId, null, DELETED_TO_HEADER, upTo));
      return storage.append(partition, tombstone).thenAccept(offset -> index.deleted(persistenceId, upTo));
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
        if (record == null) {
          throw new IllegalStateException("journal record " + persistenceId + " at offset " + offset
              + " of partition " + partition + " is gone");
        }
        onEvent.accept(new Event(longHeader(record, SEQ_NR_HEADER), Utils.toArray(record.value())));
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
    index.readUpTo(PartitionReader.readFrom(storage, partition, index.readUpTo(), record -> apply(index, record)));
    return index;
  }

  private static void apply(JournalIndex index, Record record) {
    String persistenceId = StandardCharsets.UTF_8.decode(record.key()).toString();
    if (record.hasValue()) {
      index.event(persistenceId, longHeader(record, SEQ_NR_HEADER), record.offset());
    } else {
      index.deleted(persistenceId, longHeader(record, DELETED_TO_HEADER));
    }
  }

  private static SimpleRecord record(String persistenceId, byte[] value, String header, long number) {
    Header[] headers = {new RecordHeader(header, ByteBuffer.allocate(Long.BYTES).putLong(0, number).array())};
    return new SimpleRecord(System.currentTimeMillis(), persistenceId.getBytes(StandardCharsets.UTF_8), value, headers);
  }

  private static long longHeader(Record record, String name) {
    for (Header header : record.headers()) {
      if (header.key().equals(name)) {
        return ByteBuffer.wrap(header.value()).getLong();
      }
    }
    throw new IllegalStateException("journal record at offset " + record.offset() + " has no " + name + " header");
  }
}
