package io.vltava.persistence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

/** The journal's record formats as bytes: written, read back as a log returns them, parsed. */
class JournalRecordsTest {

  private static List<Record> stored(SimpleRecord... records) {
    List<Record> read = new ArrayList<>();
    for (RecordBatch batch : MemoryRecords.withRecords(Compression.NONE, records).batches()) {
      batch.forEach(read::add);
    }
    return read;
  }

  /** A record as versions before the keyed format wrote it: keyed by the id, the number in a header. */
  static SimpleRecord oldFormat(String persistenceId, byte[] value, String header, long number) {
    Header[] headers = {new RecordHeader(header, ByteBuffer.allocate(Long.BYTES).putLong(number).array())};
    return new SimpleRecord(1L, persistenceId.getBytes(StandardCharsets.UTF_8), value, headers);
  }

  @Test
  void aSequencedKeyIsTheUtf8IdFollowedByTheBigEndianNumber() {
    SequencedKey key = new SequencedKey("grüße|1", 0x0102030405060708L);
    byte[] bytes = key.bytes();
    byte[] id = "grüße|1".getBytes(StandardCharsets.UTF_8);
    assertEquals(id.length + 8, bytes.length);
    assertArrayEquals(id, java.util.Arrays.copyOf(bytes, id.length));
    assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, java.util.Arrays.copyOfRange(bytes, id.length, bytes.length));
    assertEquals(key, SequencedKey.parse(ByteBuffer.wrap(bytes)));
    assertThrows(IllegalArgumentException.class, () -> SequencedKey.parse(ByteBuffer.wrap(new byte[7])));
  }

  @Test
  void keyedEventsMarkersAndTombstonesReadBackAsWritten() {
    List<Record> records = stored(
        JournalRecords.event("cart|7", 3, "payload".getBytes(StandardCharsets.UTF_8)),
        JournalRecords.deletedToMarker("cart|7", 2),
        JournalRecords.tombstone("cart|7", 1));
    assertEquals(new JournalRecords.Event("cart|7", 3), JournalRecords.parse(records.get(0)));
    assertEquals(new JournalRecords.DeletedTo("cart|7", 2), JournalRecords.parse(records.get(1)));
    assertEquals(new JournalRecords.Tombstone("cart|7", 1), JournalRecords.parse(records.get(2)));
    assertEquals(ByteBuffer.wrap(new SequencedKey("cart|7", 3).bytes()), records.get(0).key());
    assertTrue(records.get(1).hasValue(), "a marker has a value, so compaction keeps it");
  }

  @Test
  void recordsOfTheOlderFormatParseAsBefore() {
    List<Record> records = stored(
        oldFormat("cart|7", "e".getBytes(StandardCharsets.UTF_8), JournalRecords.SEQ_NR_HEADER, 5),
        oldFormat("cart|7", null, JournalRecords.DELETED_TO_HEADER, 4));
    assertEquals(new JournalRecords.Event("cart|7", 5), JournalRecords.parse(records.get(0)));
    assertEquals(new JournalRecords.DeletedTo("cart|7", 4), JournalRecords.parse(records.get(1)));
  }

  @Test
  void noEventKeyEqualsAMarkerKeyOfAnyId() {
    // Equal lengths mean equal ids; the marker's number 0 is no event's.
    assertNotEquals(ByteBuffer.wrap(JournalRecords.deletedToMarker("a", 9).key().array()),
        ByteBuffer.wrap(new SequencedKey("a", 9).bytes()));
    assertThrows(IllegalArgumentException.class, () -> JournalRecords.event("a", 0, new byte[1]));
  }

  @Test
  void aDeletionIsSplitIntoBatchesOfBoundedSizeInOrder() {
    List<SimpleRecord> records = new ArrayList<>();
    records.add(JournalRecords.deletedToMarker("group|busy", 5000));
    for (long seqNr = 1; seqNr <= 5000; seqNr++) {
      records.add(JournalRecords.tombstone("group|busy", seqNr));
    }
    List<MemoryRecords> batches = JournalRecords.batches(records, JournalRecords.MAX_DELETION_BATCH_BYTES);
    assertTrue(batches.size() > 1, "5000 tombstones do not fit one batch");
    List<JournalRecords.Entry> entries = new ArrayList<>();
    for (MemoryRecords batch : batches) {
      assertTrue(batch.sizeInBytes() <= JournalRecords.MAX_DELETION_BATCH_BYTES, batch.sizeInBytes() + " bytes");
      batch.records().forEach(record -> entries.add(JournalRecords.parse(record)));
    }
    assertEquals(5001, entries.size());
    assertEquals(new JournalRecords.DeletedTo("group|busy", 5000), entries.get(0), "the marker first");
    for (int i = 1; i <= 5000; i++) {
      assertEquals(new JournalRecords.Tombstone("group|busy", i), entries.get(i));
    }
  }
}
