package io.vltava.persistence;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Utils;

/**
 * Snapshots of many persistence ids in the partitions of a {@link JournalStorage} meant to be a
 * compacted topic. A persistence id goes to partition murmur2(id) % partitions, like the journal;
 * each snapshot is a record keyed by a {@link SequencedKey}, so every snapshot has a key of its
 * own: compaction keeps each live one, and deleting one appends a tombstone with its key, which the
 * cleaner later removes together with the snapshot.
 * A partition is scanned into an index of (sequence number, timestamp, offset) on first use and
 * caught up before every operation, since other nodes append to it too.
 */
public final class SnapshotTopicStore {
  static final String TIMESTAMP_HEADER = "snapshot-timestamp";

  /** Which snapshots an operation means, as Pekko's SnapshotSelectionCriteria (bounds inclusive). */
  public record Criteria(long minSeqNr, long maxSeqNr, long minTimestamp, long maxTimestamp) {
    boolean matches(long seqNr, long timestamp) {
      return seqNr >= minSeqNr && seqNr <= maxSeqNr && timestamp >= minTimestamp && timestamp <= maxTimestamp;
    }
  }

  /** One stored snapshot. */
  public record Snapshot(long seqNr, long timestamp, byte[] payload) {}

  private record Located(long timestamp, long offset) {}

  /** One partition's live snapshots by persistence id and sequence number. */
  private static final class Index {
    final Map<String, TreeMap<Long, Located>> byPersistenceId = new HashMap<>();
    long readUpTo;
  }

  private final JournalStorage storage;
  private final ConcurrentHashMap<Integer, Index> indexes = new ConcurrentHashMap<>();

  public SnapshotTopicStore(JournalStorage storage) {
    this.storage = storage;
  }

  public int partitionOf(String persistenceId) {
    return Utils.toPositive(Utils.murmur2(persistenceId.getBytes(StandardCharsets.UTF_8))) % storage.partitionCount();
  }

  public CompletionStage<Void> save(String persistenceId, Snapshot snapshot) {
    Header[] headers = {new RecordHeader(TIMESTAMP_HEADER, LongHeaders.bytes(snapshot.timestamp()))};
    byte[] key = new SequencedKey(persistenceId, snapshot.seqNr()).bytes();
    SimpleRecord record = new SimpleRecord(System.currentTimeMillis(), key, snapshot.payload(), headers);
    return storage.append(partitionOf(persistenceId), MemoryRecords.withRecords(Compression.NONE, record)).thenApply(offset -> null);
  }

  /**
   * The snapshot with the highest sequence number matching {@code criteria}, if any. One the
   * cleaner removed before this node read its tombstone is skipped (and forgotten).
   */
  public CompletionStage<Optional<Snapshot>> load(String persistenceId, Criteria criteria) {
    int partition = partitionOf(persistenceId);
    return CompletableFuture.supplyAsync(() -> {
      List<Map.Entry<Long, Located>> candidates = matching(partition, persistenceId, criteria);
      for (int i = candidates.size() - 1; i >= 0; i--) {
        long seqNr = candidates.get(i).getKey();
        Located located = candidates.get(i).getValue();
        Record record = PartitionReader.chunkAt(storage, partition, located.offset()).get(located.offset());
        if (record != null && record.hasValue()) {
          return Optional.of(new Snapshot(seqNr, located.timestamp(), Utils.toArray(record.value())));
        }
        forget(partition, persistenceId, seqNr);
      }
      return Optional.<Snapshot>empty();
    }, storage.ioExecutor());
  }

  /** Deletes the snapshots matching {@code criteria} with one tombstone each. */
  public CompletionStage<Void> delete(String persistenceId, Criteria criteria) {
    int partition = partitionOf(persistenceId);
    return CompletableFuture.supplyAsync(() -> matching(partition, persistenceId, criteria), storage.ioExecutor())
        .thenCompose(snapshots -> {
          if (snapshots.isEmpty()) {
            return CompletableFuture.completedFuture(null);
          }
          SimpleRecord[] tombstones = snapshots.stream()
              .map(entry -> new SimpleRecord(System.currentTimeMillis(),
                  new SequencedKey(persistenceId, entry.getKey()).bytes(), null))
              .toArray(SimpleRecord[]::new);
          return storage.append(partition, MemoryRecords.withRecords(Compression.NONE, tombstones)).thenApply(offset -> null);
        });
  }

  /** The live snapshots of {@code persistenceId} matching {@code criteria}, by ascending sequence number. */
  private List<Map.Entry<Long, Located>> matching(int partition, String persistenceId, Criteria criteria) {
    Index index = indexes.computeIfAbsent(partition, p -> new Index());
    synchronized (index) {
      index.readUpTo = PartitionReader.readFrom(storage, partition, index.readUpTo, record -> apply(index, record));
      List<Map.Entry<Long, Located>> found = new ArrayList<>();
      TreeMap<Long, Located> snapshots = index.byPersistenceId.get(persistenceId);
      if (snapshots != null) {
        snapshots.entrySet().stream()
            .filter(e -> criteria.matches(e.getKey(), e.getValue().timestamp()))
            .forEach(found::add);
      }
      return found;
    }
  }

  private void forget(int partition, String persistenceId, long seqNr) {
    Index index = indexes.get(partition);
    synchronized (index) {
      remove(index, persistenceId, seqNr);
    }
  }

  private static void apply(Index index, Record record) {
    SequencedKey key = SequencedKey.parse(record.key());
    String persistenceId = key.persistenceId();
    long seqNr = key.seqNr();
    if (record.hasValue()) {
      index.byPersistenceId.computeIfAbsent(persistenceId, id -> new TreeMap<>())
          .put(seqNr, new Located(LongHeaders.read(record, TIMESTAMP_HEADER), record.offset()));
    } else {
      remove(index, persistenceId, seqNr);
    }
  }

  private static void remove(Index index, String persistenceId, long seqNr) {
    TreeMap<Long, Located> snapshots = index.byPersistenceId.get(persistenceId);
    if (snapshots != null) {
      snapshots.remove(seqNr);
      if (snapshots.isEmpty()) {
        index.byPersistenceId.remove(persistenceId);
      }
    }
  }
}
