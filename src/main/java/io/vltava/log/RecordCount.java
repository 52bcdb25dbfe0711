package io.vltava.log;

import java.nio.ByteBuffer;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Records in a run of whole v2 batches, summed from their headers' record counts in place: no
 * record is parsed and no object created, so the fetch path can count what it sends. Stateless.
 */
public final class RecordCount {
  private RecordCount() {}

  /** The records of every batch in {@code records}, including control records and any below a fetch offset. */
  public static long of(MemoryRecords records) {
    ByteBuffer buf = records.buffer();
    int end = buf.limit();
    long count = 0;
    for (int pos = buf.position(); end - pos >= BatchHeader.OVERHEAD_BYTES; pos += BatchHeader.sizeBytes(buf, pos)) {
      count += BatchHeader.recordCount(buf, pos);
    }
    return count;
  }
}
