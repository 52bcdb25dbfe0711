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
 * deleted-to mark. Thread-safe: writes, deletes and replays of different entities share it.
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

  synchronized void event(String persistenceId, long seqNr, long offset) {
    Entries entries = entries(persistenceId);
    entries.highestSeqNr = Math.max(entries.highestSeqNr, seqNr);
    if (seqNr > entries.deletedTo) {
      // A rewrite of a sequence number (a retried write) replaces the earlier record.
      entries.offsetBySeqNr.put(seqNr, offset);
    }
  }

  synchronized void deleted(String persistenceId, long toSeqNr) {
    Entries entries = entries(persistenceId);
    entries.deletedTo = Math.max(entries.deletedTo, toSeqNr);
    entries.offsetBySeqNr.headMap(toSeqNr, true).clear();
  }

  synchronized long highestSeqNr(String persistenceId) {
    Entries entries = byPersistenceId.get(persistenceId);
    return entries == null ? 0 : entries.highestSeqNr;
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
