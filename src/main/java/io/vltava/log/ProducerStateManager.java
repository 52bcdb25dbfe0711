package io.vltava.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;

/**
 * Per idempotent producer id: its epoch and the metadata of its last {@value #BATCHES_KEPT} batches
 * in this log, to detect duplicates and sequence gaps. Invariant: the state equals what a scan of
 * the log's batches from the log start offset yields, except for "retired" producers whose batches
 * all fell below the log start offset: their epoch is kept, their sequence is forgotten.
 * Snapshotted on clean close ({@code producer-state.snapshot}, valid for one log end offset).
 *
 * <p>Not thread-safe: only the log's writer uses it.
 */
final class ProducerStateManager {
  static final int BATCHES_KEPT = 5;
  static final String SNAPSHOT_FILE = "producer-state.snapshot";
  /** Version 2 added each batch's max timestamp; a version-1 snapshot is ignored and the state rebuilt from the log. */
  private static final String SNAPSHOT_VERSION = "2";
  private static final int FIELDS_PER_BATCH = 5;

  /** Sequence numbers, offsets and max timestamp of one batch of a producer. */
  record BatchMetadata(int firstSeq, int lastSeq, long firstOffset, long lastOffset, long maxTimestampMs) {}

  /** A producer's epoch and recent batches, oldest first; copied when staged so a rejected request changes nothing. */
  static final class ProducerEntry {
    final short epoch;
    final ArrayDeque<BatchMetadata> batches;

    ProducerEntry(short epoch, ArrayDeque<BatchMetadata> batches) {
      this.epoch = epoch;
      this.batches = batches;
    }

    ProducerEntry copy() {
      return new ProducerEntry(epoch, new ArrayDeque<>(batches));
    }

    long lastOffset() {
      return batches.isEmpty() ? -1 : batches.peekLast().lastOffset();
    }
  }

  private final Map<Long, ProducerEntry> producers = new HashMap<>();
  private final CheckpointFile snapshot;

  ProducerStateManager(Path dir) {
    this.snapshot = new CheckpointFile(dir.resolve(SNAPSHOT_FILE));
  }

  /** The changes one append request would make, applied by {@link #commit} once its bytes are written. */
  final class Staged {
    private final Map<Long, ProducerEntry> touched = new HashMap<>(2);

    /**
     * Checks a batch and stages it. Returns the original of an exact duplicate of a recent batch
     * (staging nothing), or empty.
     */
    Optional<BatchMetadata> append(long producerId, short epoch, int firstSeq, int lastSeq, long firstOffset,
        long lastOffset, long maxTimestampMs) {
      ProducerEntry current = touched.containsKey(producerId) ? touched.get(producerId) : producers.get(producerId);
      if (current != null && epoch == current.epoch) {
        for (BatchMetadata batch : current.batches) {
          if (batch.firstSeq() == firstSeq && batch.lastSeq() == lastSeq) {
            return Optional.of(batch);
          }
        }
      }
      checkSequence(producerId, current, epoch, firstSeq, firstOffset);
      ProducerEntry next = current == null || epoch != current.epoch
          ? new ProducerEntry(epoch, new ArrayDeque<>())
          : touched.containsKey(producerId) ? current : current.copy();
      addBatch(next, new BatchMetadata(firstSeq, lastSeq, firstOffset, lastOffset, maxTimestampMs));
      touched.put(producerId, next);
      return Optional.empty();
    }
  }

  Staged stage() {
    return new Staged();
  }

  void commit(Staged staged) {
    producers.putAll(staged.touched);
  }

  private static void checkSequence(long producerId, ProducerEntry current, short epoch, int firstSeq, long offset) {
    if (current == null) {
      if (firstSeq != 0) {
        throw new OutOfOrderSequenceException("producer " + producerId + " is unknown and its batch at offset "
            + offset + " starts at sequence " + firstSeq + ", not 0");
      }
      return;
    }
    if (epoch < current.epoch) {
      throw new InvalidProducerEpochException("producer " + producerId + " epoch " + epoch
          + " is older than its current epoch " + current.epoch + " (batch at offset " + offset + ")");
    }
    if (epoch > current.epoch) {
      if (firstSeq != 0) {
        throw new OutOfOrderSequenceException("producer " + producerId + " new epoch " + epoch
            + " must start at sequence 0, not " + firstSeq + " (batch at offset " + offset + ")");
      }
      return;
    }
    if (current.batches.isEmpty()) {
      return; // retired: its batches were deleted by retention, so any sequence continues it
    }
    int expected = DefaultRecordBatch.incrementSequence(current.batches.peekLast().lastSeq(), 1);
    if (firstSeq != expected) {
      throw new OutOfOrderSequenceException("producer " + producerId + " epoch " + epoch + ": sequence "
          + firstSeq + " at offset " + offset + " does not follow " + current.batches.peekLast().lastSeq());
    }
  }

  private static void addBatch(ProducerEntry entry, BatchMetadata batch) {
    entry.batches.addLast(batch);
    if (entry.batches.size() > BATCHES_KEPT) {
      entry.batches.removeFirst();
    }
  }

  /** Applies a batch read back from the log, unchecked: the log is the truth. */
  void replay(long producerId, short epoch, int firstSeq, int lastSeq, long firstOffset, long lastOffset, long maxTimestampMs) {
    ProducerEntry current = producers.get(producerId);
    if (current == null || epoch != current.epoch) {
      current = new ProducerEntry(epoch, new ArrayDeque<>());
      producers.put(producerId, current);
    }
    addBatch(current, new BatchMetadata(firstSeq, lastSeq, firstOffset, lastOffset, maxTimestampMs));
  }

  /** Forgets the sequences of producers whose last batch is below {@code logStartOffset}. */
  void retireBelow(long logStartOffset) {
    producers.replaceAll((id, entry) -> entry.lastOffset() >= 0 && entry.lastOffset() < logStartOffset
        ? new ProducerEntry(entry.epoch, new ArrayDeque<>()) : entry);
  }

  /** Every producer with a batch still in the log, as DescribeProducers reports them; retired producers are left out. */
  List<ActiveProducer> activeProducers() {
    List<ActiveProducer> active = new ArrayList<>();
    producers.forEach((id, entry) -> {
      if (!entry.batches.isEmpty()) {
        BatchMetadata last = entry.batches.peekLast();
        active.add(new ActiveProducer(id, entry.epoch, last.lastSeq(), last.maxTimestampMs()));
      }
    });
    return active;
  }

  /** Each producer's last batch still in the log, by its last offset: the cleaner keeps those batches. */
  Map<Long, Long> lastBatchOffsets() {
    Map<Long, Long> last = new HashMap<>();
    producers.forEach((id, entry) -> {
      if (!entry.batches.isEmpty()) {
        last.put(id, entry.batches.peekLast().lastOffset());
      }
    });
    return last;
  }

    void clear() {
    producers.clear();
  }

  /**
   * Writes the state as of {@code logEndOffset}, on a clean close just before the clean-shutdown
   * marker, whose directory fsync makes the snapshot's rename durable: the snapshot is only read
   * when that marker is there, so a directory fsync of its own would buy nothing.
   */
  void writeSnapshot(long logEndOffset) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add(SNAPSHOT_VERSION);
    lines.add(Long.toString(logEndOffset));
    producers.forEach((id, entry) -> {
      StringBuilder line = new StringBuilder().append(id).append(' ').append(entry.epoch);
      for (BatchMetadata b : entry.batches) {
        line.append(' ').append(b.firstSeq()).append(' ').append(b.lastSeq())
            .append(' ').append(b.firstOffset()).append(' ').append(b.lastOffset()).append(' ').append(b.maxTimestampMs());
      }
      lines.add(line.toString());
    });
    snapshot.writeBeforeDirectorySync(lines);
  }

  /**
   * Loads the snapshot if it is intact and was taken at {@code logEndOffset}, then deletes it so a
   * later crash cannot reuse it. False if the caller must rebuild the state from the log.
   */
  boolean loadSnapshot(long logEndOffset) throws IOException {
    Optional<List<String>> lines = snapshot.read();
    snapshot.delete();
    producers.clear();
    if (lines.isEmpty()) {
      return false;
    }
    try {
      List<String> l = lines.get();
      if (l.size() < 2 || !l.get(0).equals(SNAPSHOT_VERSION) || Long.parseLong(l.get(1)) != logEndOffset) {
        return false;
      }
      for (String line : l.subList(2, l.size())) {
        String[] f = line.split(" ");
        if ((f.length - 2) % FIELDS_PER_BATCH != 0 || (f.length - 2) / FIELDS_PER_BATCH > BATCHES_KEPT) {
          producers.clear();
          return false;
        }
        ArrayDeque<BatchMetadata> batches = new ArrayDeque<>();
        for (int i = 2; i < f.length; i += FIELDS_PER_BATCH) {
          batches.addLast(new BatchMetadata(Integer.parseInt(f[i]), Integer.parseInt(f[i + 1]),
              Long.parseLong(f[i + 2]), Long.parseLong(f[i + 3]), Long.parseLong(f[i + 4])));
        }
        producers.put(Long.parseLong(f[0]), new ProducerEntry(Short.parseShort(f[1]), batches));
      }
      return true;
    } catch (RuntimeException e) {
      producers.clear();
      return false;
    }
  }
}
