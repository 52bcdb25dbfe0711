package io.vltava.node;

import io.vltava.log.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/** What a replica's log holds, read straight from it: how tests see what compaction kept. */
public final class LogRecords {
  /** A record as the log holds it; value null for a tombstone. */
  public record Kept(long offset, String key, String value) {}

  private LogRecords() {}

  /** Every record of {@code log} (none if it is null), in offset order. */
  public static List<Kept> read(PartitionLog log) throws IOException {
    if (log == null) {
      return List.of();
    }
    List<Kept> out = new ArrayList<>();
    long offset = log.logStartOffset();
    while (offset < log.logEndOffset()) {
      MemoryRecords records = (MemoryRecords) log.read(offset, 1 << 16, Long.MAX_VALUE).records();
      long next = offset;
      for (RecordBatch batch : records.batches()) {
        for (Record record : batch) {
          if (record.offset() >= offset) {
            out.add(new Kept(record.offset(), string(record.key()), record.hasValue() ? string(record.value()) : null));
          }
        }
        next = batch.lastOffset() + 1;
      }
      if (next == offset) {
        break;
      }
      offset = next;
    }
    return out;
  }

  private static String string(ByteBuffer buffer) {
    return StandardCharsets.UTF_8.decode(buffer).toString();
  }
}
