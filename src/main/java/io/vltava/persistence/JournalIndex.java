package io.vltava.persistence;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Where each persistence id's live events lie in one journal partition: sequence number to offset,
 * with the highest sequence number ever written (kept after deletion, as Pekko requires) and the
 * deleted-to mark. Fed the {@link JournalRecords.Entry entries} of the partition in offset order,
 * of either record format; on a compacted partition the cleaner has removed deleted events and
 * their tombstones, but the latest deleted-to marker of each id is always there, after every event
 * it deletes, so the mark and the highest sequence number come out the same. Thread-safe: writes,
 * deletes and replays of different entities share it.
 */
final class JournalIndex {

  /** One persistence id's entries. */
  private static final class Entries {
    final TreeMap<Long, Long> offsetBySeqNr = new TreeMap<>();
    long highestSeqNr;
    long deletedTo;
  }

  private final Map<String, Entries> byPersistenceId = new HashMap<>();
  /** Every record below this offset has been read into the index. */
  private long readUpTo;

  synchronized long readUpTo() {
    return readUpTo;
  }

  synchronized void readUpTo(long offset) {
    readUpTo = Math.max(readUpTo, offset);
  }

  /** Applies the entry of the record at {@code offset}. */
  synchronized void apply(JournalRecords.Entry entry, long offset) {
    if (entry instanceof JournalRecords.Event event) {
      event(event.persistenceId(), event.seqNr(), offset);
    } else if (entry instanceof JournalRecords.DeletedTo deleted) {
      deleted(deleted.persistenceId(), deleted.toSeqNr());
    } else if (entry instanceof JournalRecords.Tombstone tombstone) {
      tombstone(tombstone.persistenceId(), tombstone.seqNr(), offset);
    }
  }

  synchronized void event(String persistenceId, long seqNr, long offset) {
    Entries entries = entries(persistenceId);
    entries.highestSeqNr = Math.max(entries.highestSeqNr, seqNr);
    if (seqNr > entries.deletedTo) {
      // A rewrite of a sequence number (a retried write) replaces the earlier record, as compaction does.
      entries.offsetBySeqNr.merge(seqNr, offset, Math::max);
    }
  }

  synchronized void deleted(String persistenceId, long toSeqNr) {
    Entries entries = entries(persistenceId);
    entries.deletedTo = Math.max(entries.deletedTo, toSeqNr);
    // The deleted events may be gone from a compacted partition; the mark stands for them.
    entries.highestSeqNr = Math.max(entries.highestSeqNr, toSeqNr);
    entries.offsetBySeqNr.headMap(toSeqNr, true).clear();
  }

  private void tombstone(String persistenceId, long seqNr, long offset) {
    Entries entries = byPersistenceId.get(persistenceId);
    if (entries != null && entries.offsetBySeqNr.getOrDefault(seqNr, Long.MAX_VALUE) < offset) {
      entries.offsetBySeqNr.remove(seqNr);
    }
  }

  synchronized long highestSeqNr(String persistenceId) {
    Entries entries = byPersistenceId.get(persistenceId);
    return entries == null ? 0 : entries.highestSeqNr;
  }

  synchronized long deletedTo(String persistenceId) {
    Entries entries = byPersistenceId.get(persistenceId);
    return entries == null ? 0 : entries.deletedTo;
  }

  /** Sequence numbers of the live events up to {@code toSeqNr}, in order. */
  synchronized List<Long> liveSeqNrs(String persistenceId, long toSeqNr) {
    Entries entries = byPersistenceId.get(persistenceId);
    return entries == null ? List.of() : List.copyOf(entries.offsetBySeqNr.headMap(toSeqNr, true).keySet());
  }

  /** Offsets of the live events with {@code fromSeqNr <= seqNr <= toSeqNr}, at most {@code max}, in order. */
  synchronized List<Long> offsets(String persistenceId, long fromSeqNr, long toSeqNr, long max) {
    Entries entries = byPersistenceId.get(persistenceId);
    List<Long> offsets = new ArrayList<>();
    if (entries == null || fromSeqNr > toSeqNr) {
      return offsets;
    }
    for (long offset : entries.offsetBySeqNr.subMap(fromSeqNr, true, toSeqNr, true).values()) {
      if (offsets.size() >= max) {
        break;
      }
      offsets.add(offset);
    }
    return offsets;
  }

  /** The persistence ids that have at least one event not deleted. */
  synchronized Set<String> livePersistenceIds() {
    return byPersistenceId.entrySet().stream()
        .filter(e -> !e.getValue().offsetBySeqNr.isEmpty())
        .map(Map.Entry::getKey)
        .collect(Collectors.toSet());
  }

  private Entries entries(String persistenceId) {
    return byPersistenceId.computeIfAbsent(persistenceId, id -> new Entries());
  }
}
