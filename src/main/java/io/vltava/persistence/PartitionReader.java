package io.vltava.persistence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;

/** Reading the records of one partition of a {@link JournalStorage}; blocks, so call it on its io executor. */
final class PartitionReader {
  private static final int READ_BYTES = 1 << 20;

  private PartitionReader() {}

  /**
   * Gives {@code onRecord} every record from {@code from} (or the partition's start, if later) to
   * the committed end, in order; returns the offset after the last one read.
   */
  static long readFrom(JournalStorage storage, int partition, long from, Consumer<Record> onRecord) {
    long offset = Math.max(from, storage.startOffset(partition));
    long end = storage.endOffset(partition);
    try {
      while (offset < end) {
        Records records = storage.read(partition, offset, READ_BYTES);
        if (records.sizeInBytes() == 0) {
          break;
        }
        for (RecordBatch batch : records.batches()) {
          for (Record record : batch) {
            if (record.offset() >= offset) {
              onRecord.accept(record);
            }
          }
          offset = Math.max(offset, batch.nextOffset());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return offset;
  }

  /** The records of the read that starts at the batch holding {@code offset}, by offset. */
  static Map<Long, Record> chunkAt(JournalStorage storage, int partition, long offset) {
    Map<Long, Record> chunk = new HashMap<>();
    try {
      for (RecordBatch batch : storage.read(partition, offset, READ_BYTES).batches()) {
        for (Record record : batch) {
          chunk.put(record.offset(), record);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return chunk;
  }
}
