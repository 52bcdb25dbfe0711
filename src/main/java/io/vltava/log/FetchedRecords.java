package io.vltava.log;

import org.apache.kafka.common.record.internal.Records;

/**
 * Whole record batches read from a log, starting at the batch that holds the requested offset:
 * in memory, or a slice of a segment file. {@code records} may be empty; the offsets describe the
 * log when it was read; {@code recordCount} sums the batches' headers.
 */
public record FetchedRecords(Records records, long recordCount, long logStartOffset, long logEndOffset) {
  public int sizeInBytes() {
    return records.sizeInBytes();
  }
}
