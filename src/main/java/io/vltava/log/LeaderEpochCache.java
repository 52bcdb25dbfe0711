package io.vltava.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * (leader epoch → start offset) entries of one partition replica, persisted in its directory
 * ({@code leader-epoch-checkpoint}, replaced atomically on every change). Invariant: epochs and
 * start offsets both strictly increase, and every start offset is below the log end offset when
 * the log is consistent. Thread-safe: methods are synchronized, since fetch handlers ask
 * {@link #endOffsetFor} while the log's writer assigns.
 */
public final class LeaderEpochCache {
  static final String FILE_NAME = "leader-epoch-checkpoint";
  /** Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET of OffsetsForLeaderEpoch. */
  public static final int UNDEFINED_EPOCH = -1;
  public static final long UNDEFINED_EPOCH_OFFSET = -1L;
  private static final String VERSION = "0";

  /** A leader epoch and the first offset written in it. */
  public record EpochEntry(int epoch, long startOffset) {}

  /** The answer to OffsetsForLeaderEpoch: an epoch and the offset where it ended. */
  public record EpochEndOffset(int epoch, long endOffset) {}

  private final CheckpointFile checkpoint;
  private final LongSupplier logEndOffset;
  private final TreeMap<Integer, Long> startOffsets = new TreeMap<>();

  private LeaderEpochCache(CheckpointFile checkpoint, LongSupplier logEndOffset) {
    this.checkpoint = checkpoint;
    this.logEndOffset = logEndOffset;
  }

  /**
   * Loads the checkpoint in {@code dir}; empty if it is absent or corrupt (the log then rebuilds
   * the entries from its batches, see LogLoader).
   */
  static LeaderEpochCache load(Path dir, LongSupplier logEndOffset) throws IOException {
    LeaderEpochCache cache = new LeaderEpochCache(new CheckpointFile(dir.resolve(FILE_NAME)), logEndOffset);
    Optional<List<String>> lines = cache.checkpoint.read();
    if (lines.isPresent() && !cache.parse(lines.get())) {
      cache.startOffsets.clear();
    }
    return cache;
  }

  /** Whether a checkpoint was loaded (false: absent or corrupt, so the caller rebuilds). */
  synchronized boolean isEmpty() {
    return startOffsets.isEmpty();
  }

  private boolean parse(List<String> lines) {
    try {
      if (lines.size() < 2 || !lines.get(0).equals(VERSION) || Integer.parseInt(lines.get(1)) != lines.size() - 2) {
        return false;
      }
      for (String line : lines.subList(2, lines.size())) {
        String[] fields = line.split(" ");
        int epoch = Integer.parseInt(fields[0]);
        long startOffset = Long.parseLong(fields[1]);
        if (!startOffsets.isEmpty()
            && (epoch <= startOffsets.lastKey() || startOffset < startOffsets.lastEntry().getValue())) {
          return false;
        }
        startOffsets.put(epoch, startOffset);
      }
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Records that {@code epoch} starts at {@code startOffset}. An epoch not above the latest is
   * ignored (it is already known); entries at or after {@code startOffset} of lower epochs are
   * dropped, as a new leader's first offset ends them.
   */
  public synchronized void assign(int epoch, long startOffset) throws IOException {
    if (epoch < 0 || (!startOffsets.isEmpty() && epoch <= startOffsets.lastKey())) {
      return;
    }
    startOffsets.values().removeIf(offset -> offset >= startOffset);
    startOffsets.put(epoch, startOffset);
    persist();
  }

  public synchronized OptionalInt latestEpoch() {
    return startOffsets.isEmpty() ? OptionalInt.empty() : OptionalInt.of(startOffsets.lastKey());
  }

  public synchronized List<EpochEntry> entries() {
    List<EpochEntry> entries = new ArrayList<>();
    startOffsets.forEach((epoch, offset) -> entries.add(new EpochEntry(epoch, offset)));
    return entries;
  }

  /**
   * Kafka's OffsetsForLeaderEpoch answer: the largest known epoch <= {@code requestedEpoch} and the
   * start offset of the next larger epoch, or the log end offset if {@code requestedEpoch} is the
   * latest. (UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET) if the requested epoch is above every known
   * one or undefined; (requestedEpoch, first start offset) if it is below every known one.
   */
  public synchronized EpochEndOffset endOffsetFor(int requestedEpoch) {
    if (requestedEpoch == UNDEFINED_EPOCH || startOffsets.isEmpty()) {
      return new EpochEndOffset(UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET);
    }
    if (requestedEpoch == startOffsets.lastKey()) {
      return new EpochEndOffset(requestedEpoch, logEndOffset.getAsLong());
    }
    Map.Entry<Integer, Long> higher = startOffsets.higherEntry(requestedEpoch);
    if (higher == null) {
      return new EpochEndOffset(UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET);
    }
    Map.Entry<Integer, Long> floor = startOffsets.floorEntry(requestedEpoch);
    return new EpochEndOffset(floor == null ? requestedEpoch : floor.getKey(), higher.getValue());
  }

  /** Drops the entries starting at or after {@code endOffset} (the log was truncated there). */
  public synchronized void truncateFromEnd(long endOffset) throws IOException {
    if (startOffsets.values().removeIf(offset -> offset >= endOffset)) {
      persist();
    }
  }

  /**
   * Drops the entries that end at or below {@code startOffset} (the log start moved there); the
   * epoch holding {@code startOffset} is kept with {@code startOffset} as its start.
   */
  public synchronized void truncateFromStart(long startOffset) throws IOException {
    Map.Entry<Integer, Long> holding = null;
    for (Map.Entry<Integer, Long> e : startOffsets.entrySet()) {
      if (e.getValue() <= startOffset) {
        holding = e;
      }
    }
    if (holding == null || holding.getValue() == startOffset && holding.getKey().equals(startOffsets.firstKey())) {
      return;
    }
    int holdingEpoch = holding.getKey();
    startOffsets.headMap(holdingEpoch, true).clear();
    startOffsets.put(holdingEpoch, startOffset);
    persist();
  }

  /** Removes every entry and the checkpoint (the log is being rebuilt or deleted). */
  synchronized void clear() throws IOException {
    startOffsets.clear();
    checkpoint.delete();
  }

  private void persist() throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add(VERSION);
    lines.add(Integer.toString(startOffsets.size()));
    startOffsets.forEach((epoch, offset) -> lines.add(epoch + " " + offset));
    checkpoint.write(lines);
  }

  @Override
  public synchronized String toString() {
    return "LeaderEpochCache" + startOffsets;
  }
}
