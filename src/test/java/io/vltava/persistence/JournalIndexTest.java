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
}
