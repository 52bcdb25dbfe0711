package io.vltava.replica;

import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;

/**
 * What a fetch read from one partition this node leads: whole batches from the fetch offset (none
 * when there is nothing new or no room) with the partition's high watermark and log start offset
 * at the read, or the error that stopped it. The records are in memory, or a slice of a segment
 * file when the fetch's transport sends files (see {@link RecordsForm}); {@code recordCount} is
 * summed from the batch headers. After an error the offsets are -1, except that
 * OFFSET_OUT_OF_RANGE tells a follower where the log now starts.
 */
public record PartitionRead(Errors error, long highWatermark, long logStartOffset, Records records, long recordCount) {

  static PartitionRead failed(Errors error) {
    return new PartitionRead(error, -1, -1, MemoryRecords.EMPTY, 0);
  }

  public int sizeInBytes() {
    return records.sizeInBytes();
  }
}
