package io.vltava.persistence;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.DefaultRecord;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * The journal's record formats, both readable in one partition.
 *
 * <p>Keyed format (this version writes only this one), marked by the {@value #KEY_FORMAT_HEADER}
 * header: an event's key is its {@link SequencedKey}; deleting up to n appends a deleted-to marker,
 * whose key is the persistence id's {@link SequencedKey} with sequence number
 * {@value #MARKER_SEQ_NR} (no event has it: Pekko numbers events from 1) and whose value is n, then
 * a tombstone (null value) with the key of each deleted event. On a compacted topic the cleaner
 * removes each deleted event with its tombstone and keeps the latest marker of each id, so the
 * deletion mark and the highest sequence number survive the events.
 *
 * <p>Format of older versions, on topics that are never compacted: every record is keyed by the
 * persistence id alone; an event carries its sequence number in the {@value #SEQ_NR_HEADER} header,
 * a deletion is a record without value whose {@value #DELETED_TO_HEADER} header says up to which.
 */
final class JournalRecords {
  static final String KEY_FORMAT_HEADER = "key-format";
  static final String SEQ_NR_HEADER = "seq-nr";
  static final String DELETED_TO_HEADER = "deleted-to";
  static final long MARKER_SEQ_NR = 0;
  /** Deletions are appended in batches of at most this many bytes: well below Artery's 256 KiB frame. */
  static final int MAX_DELETION_BATCH_BYTES = 64 * 1024;

  private static final byte[] KEYED = "id+seq-nr".getBytes(StandardCharsets.UTF_8);
  private static final Header[] KEYED_HEADERS = {new RecordHeader(KEY_FORMAT_HEADER, KEYED)};

  private JournalRecords() {}

  /** What one journal record says. */
  sealed interface Entry {
    String persistenceId();
  }

  record Event(String persistenceId, long seqNr) implements Entry {}

  /** The events up to {@code toSeqNr} are deleted: a marker, or a deletion of the older format. */
  record DeletedTo(String persistenceId, long toSeqNr) implements Entry {}

  /** The tombstone of one deleted event. */
  record Tombstone(String persistenceId, long seqNr) implements Entry {}

  static SimpleRecord event(String persistenceId, long seqNr, byte[] payload) {
    if (seqNr <= MARKER_SEQ_NR) {
      throw new IllegalArgumentException("sequence number " + seqNr + " of " + persistenceId + " is not positive");
    }
    return keyed(new SequencedKey(persistenceId, seqNr), payload);
  }

  static SimpleRecord deletedToMarker(String persistenceId, long toSeqNr) {
    return keyed(new SequencedKey(persistenceId, MARKER_SEQ_NR), LongHeaders.bytes(toSeqNr));
  }

  static SimpleRecord tombstone(String persistenceId, long seqNr) {
    return keyed(new SequencedKey(persistenceId, seqNr), null);
  }

  /** What {@code record}, of either format, says. */
  static Entry parse(Record record) {
    if (isKeyed(record)) {
      SequencedKey key = SequencedKey.parse(record.key());
      if (key.seqNr() == MARKER_SEQ_NR) {
        return new DeletedTo(key.persistenceId(), record.value().getLong(record.value().position()));
      }
      return record.hasValue() ? new Event(key.persistenceId(), key.seqNr()) : new Tombstone(key.persistenceId(), key.seqNr());
    }
    String persistenceId = StandardCharsets.UTF_8.decode(record.key()).toString();
    return record.hasValue()
        ? new Event(persistenceId, LongHeaders.read(record, SEQ_NR_HEADER))
        : new DeletedTo(persistenceId, LongHeaders.read(record, DELETED_TO_HEADER));
  }

  /** {@code records} in order, in as few batches of at most {@code maxBatchBytes} as they fit (a larger record alone). */
  static List<MemoryRecords> batches(List<SimpleRecord> records, int maxBatchBytes) {
    List<MemoryRecords> batches = new ArrayList<>();
    int from = 0;
    int bytes = DefaultRecordBatch.RECORD_BATCH_OVERHEAD;
    for (int i = 0; i < records.size(); i++) {
      SimpleRecord record = records.get(i);
      int size = DefaultRecord.sizeInBytes(i - from, 0, record.key(), record.value(), record.headers());
      if (i > from && bytes + size > maxBatchBytes) {
        batches.add(batch(records.subList(from, i)));
        from = i;
        bytes = DefaultRecordBatch.RECORD_BATCH_OVERHEAD;
        size = DefaultRecord.sizeInBytes(0, 0, record.key(), record.value(), record.headers());
      }
      bytes += size;
    }
    if (from < records.size()) {
      batches.add(batch(records.subList(from, records.size())));
    }
    return batches;
  }

  private static MemoryRecords batch(List<SimpleRecord> records) {
    return MemoryRecords.withRecords(Compression.NONE, records.toArray(SimpleRecord[]::new));
  }

  private static SimpleRecord keyed(SequencedKey key, byte[] value) {
    return new SimpleRecord(System.currentTimeMillis(), key.bytes(), value, KEYED_HEADERS);
  }

  private static boolean isKeyed(Record record) {
    for (Header header : record.headers()) {
      if (header.key().equals(KEY_FORMAT_HEADER)) {
        if (!Arrays.equals(header.value(), KEYED)) {
          throw new IllegalStateException("journal record at offset " + record.offset() + " has the unknown key format "
              + new String(header.value(), StandardCharsets.UTF_8));
        }
        return true;
      }
    }
    return false;
  }
}
