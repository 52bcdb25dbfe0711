package io.vltava.log;

import org.apache.kafka.common.record.internal.Records;

/**
 * Whole record batches read from a log, starting at the batch that holds the requested offset.
 * {@code records} may be empty; the offsets describe the log when it was read.
 */
public record FetchedRecords(Records records, long logStartOffset, long logEndOffset) {
  public int sizeInBytes() {
    return records.sizeInBytes();
  }
}
