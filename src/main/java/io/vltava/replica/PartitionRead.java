package io.vltava.replica;

import io.vltava.log.RecordCount;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;

/**
 * What a fetch read from one partition this node leads: whole batches from the fetch offset (none
 * when there is nothing new or no room) with the partition's high watermark and log start offset
 * at the read, or the error that stopped it. After an error the offsets are -1, except that
 * OFFSET_OUT_OF_RANGE tells a follower where the log now starts.
 */
public record PartitionRead(Errors error, long highWatermark, long logStartOffset, Records records) {
  /**
   * Records in the batches read, from their headers. A read copies its batches into memory (the
   * segment checks their CRCs), so the headers are at hand; a slice left in a file would count 0
   * rather than be read again for a metric.
   */
  public long recordCount() {
    return records instanceof MemoryRecords memory ? RecordCount.of(memory) : 0;
  }


  static PartitionRead failed(Errors error) {
    return new PartitionRead(error, -1, -1, MemoryRecords.EMPTY);
  }

  public int sizeInBytes() {
    return records.sizeInBytes();
  }
}
