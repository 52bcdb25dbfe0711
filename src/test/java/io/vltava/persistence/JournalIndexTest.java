package io.vltava.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JournalIndexTest {
  @Test
  void replaysLiveEventsInSequenceOrderWithinBounds() {
    JournalIndex index = new JournalIndex();
    index.event("a", 1, 10);
    index.event("b", 1, 11);
    index.event("a", 2, 12);
    index.event("a", 3, 14);
    assertEquals(List.of(10L, 12L, 14L), index.offsets("a", 1, Long.MAX_VALUE, Long.MAX_VALUE));
    assertEquals(List.of(12L), index.offsets("a", 2, 3, 1));
    assertEquals(List.of(11L), index.offsets("b", 0, 5, 10));
    assertEquals(3, index.highestSeqNr("a"));
    assertEquals(0, index.highestSeqNr("unknown"));
  }

  @Test
  void deletionHidesEventsButKeepsTheHighestSequenceNumber() {
    JournalIndex index = new JournalIndex();
    index.event("a", 1, 10);
    index.event("a", 2, 12);
    index.event("b", 1, 13);
    index.deleted("a", 2);
    assertEquals(List.of(), index.offsets("a", 1, Long.MAX_VALUE, Long.MAX_VALUE));
    assertEquals(2, index.highestSeqNr("a"));
    assertEquals(Set.of("b"), index.livePersistenceIds());
    index.event("a", 1, 20);
    assertEquals(List.of(), index.offsets("a", 1, 5, 5), "an event at or below the deletion mark stays deleted");
  }

  @Test
  void aRewrittenSequenceNumberReplacesTheEarlierRecord() {
    JournalIndex index = new JournalIndex();
    index.event("a", 1, 10);
    index.event("a", 1, 15);
    assertEquals(List.of(15L), index.offsets("a", 1, 1, 1));
  }

  @Test
  void aCompactedPartitionKeepsTheMarkAndTheHighestSequenceNumberWithoutTheEvents() {
    // What a fresh node reads after the cleaner: events 1..800 and their tombstones are gone.
    JournalIndex index = new JournalIndex();
    index.apply(new JournalRecords.DeletedTo("g", 800), 5000);
    index.apply(new JournalRecords.Event("g", 801), 5001);
    index.apply(new JournalRecords.Event("g", 802), 5002);
    assertEquals(List.of(5001L, 5002L), index.offsets("g", 1, Long.MAX_VALUE, Long.MAX_VALUE));
    assertEquals(802, index.highestSeqNr("g"));

    JournalIndex everythingDeleted = new JournalIndex();
    everythingDeleted.apply(new JournalRecords.DeletedTo("g", 802), 6000);
    assertEquals(802, everythingDeleted.highestSeqNr("g"), "Pekko needs it after the events went");
    assertEquals(List.of(), everythingDeleted.offsets("g", 1, Long.MAX_VALUE, Long.MAX_VALUE));
    assertEquals(Set.of(), everythingDeleted.livePersistenceIds());
  }

  @Test
  void aNodeThatMissedTheTombstonesStillDropsTheEventsAtTheMarker() {
    JournalIndex index = new JournalIndex();
    index.apply(new JournalRecords.Event("g", 1), 10);
    index.apply(new JournalRecords.Event("g", 2), 11);
    index.apply(new JournalRecords.Event("g", 3), 12);
    assertEquals(List.of(10L, 11L, 12L), index.offsets("g", 1, 3, 10));
    // The cleaner dropped the tombstones of 1 and 2; the marker is what this index reads next.
    index.apply(new JournalRecords.DeletedTo("g", 2), 40);
    assertEquals(List.of(12L), index.offsets("g", 1, 3, 10));
    assertEquals(List.of(3L), index.liveSeqNrs("g", Long.MAX_VALUE));
  }

  @Test
  void aTombstoneRemovesOnlyTheEventWrittenBeforeIt() {
    JournalIndex index = new JournalIndex();
    index.apply(new JournalRecords.Event("g", 1), 10);
    index.apply(new JournalRecords.Event("g", 2), 11);
    index.apply(new JournalRecords.Tombstone("g", 1), 12);
    index.apply(new JournalRecords.Tombstone("g", 2), 5);
    assertEquals(List.of(11L), index.offsets("g", 1, 5, 10));
    assertEquals(2, index.highestSeqNr("g"));
  }

  @Test
  void bothFormatsAndARetriedWriteInOnePartition() {
    JournalIndex index = new JournalIndex();
    index.apply(new JournalRecords.Event("g", 1), 1); // older format
    index.apply(new JournalRecords.Event("g", 2), 2);
    index.apply(new JournalRecords.DeletedTo("g", 1), 3); // older format deletion
    index.apply(new JournalRecords.Event("g", 3), 4); // keyed format from here
    index.apply(new JournalRecords.Event("g", 3), 7); // the same write retried
    index.event("g", 3, 4); // a late re-read of the first copy does not win over the retry
    assertEquals(List.of(2L, 7L), index.offsets("g", 1, 10, 10));
    assertEquals(List.of(2L, 3L), index.liveSeqNrs("g", 3));
    assertEquals(1, index.deletedTo("g"));
  }
}
