package io.vltava.log;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Checks record batches before they reach a segment, as Kafka's LogValidator does: a client's
 * batches on the leader, a leader's batches on a follower; and stamps a leader's offsets. A batch
 * that passes is a whole v2 batch whose CRC matches; a rejected batch is a Kafka exception naming
 * the batch's would-be offset, the log and the reason. Batches are read in place, without an
 * object per batch or record.
 *
 * <p>Not thread-safe (it owns a CRC scratch): one per log, used by the log's writer.
 */
final class LogValidator {
  private final Path dir;
  private final CRC32C crc = new CRC32C();

  LogValidator(Path dir) {
    this.dir = dir;
  }

  /**
   * Checks the batch at {@code buf[pos]} of a produce request: magic 2, framing, at most
   * {@code maxMessageBytes}, CRC, record count, neither control nor transactional.
   * {@code offset} is the one it would get, for the message.
   */
  void validateClientBatch(ByteBuffer buf, int pos, int end, long offset, int maxMessageBytes) {
    if (end - pos >= BatchHeader.FRAMING_BYTES && BatchHeader.magic(buf, pos) != RecordBatch.MAGIC_VALUE_V2) {
      throw new InvalidRecordException(batchAt(offset) + " has magic " + BatchHeader.magic(buf, pos)
          + "; only v2 record batches are accepted");
    }
    String framingError = BatchHeader.framingError(buf, pos, end);
    if (framingError != null) {
      throw new CorruptRecordException(batchAt(offset) + ": " + framingError);
    }
    int sizeBytes = BatchHeader.sizeBytes(buf, pos);
    if (sizeBytes > maxMessageBytes) {
      throw new RecordTooLargeException(batchAt(offset) + " is " + sizeBytes + " bytes, above max.message.bytes "
          + maxMessageBytes);
    }
    if (!BatchHeader.crcMatches(buf, pos, crc)) {
      throw new CorruptRecordException(batchAt(offset) + " fails its CRC check");
    }
    if (BatchHeader.recordCount(buf, pos) != BatchHeader.lastOffsetDelta(buf, pos) + 1) {
      throw new InvalidRecordException(batchAt(offset) + " has " + BatchHeader.recordCount(buf, pos)
          + " records but lastOffsetDelta " + BatchHeader.lastOffsetDelta(buf, pos));
    }
    if (BatchHeader.isControl(buf, pos)) {
      throw new InvalidRecordException(batchAt(offset) + " is a control batch; clients may not write those");
    }
    if (BatchHeader.isTransactional(buf, pos)) {
      throw new InvalidRecordException(batchAt(offset) + " is transactional; transactions are not supported yet");
    }
  }

  /**
   * A replicated batch must be intact and start at or above {@code expectedBaseOffset}: above when
   * the leader's compacted log has a gap there.
   */
  void validateReplicatedBatch(ByteBuffer buf, int pos, int end, long expectedBaseOffset) {
    String framingError = BatchHeader.framingError(buf, pos, end);
    if (framingError != null) {
      throw new CorruptRecordException(batchAt(expectedBaseOffset) + " from the leader: " + framingError);
    }
    if (BatchHeader.magic(buf, pos) != RecordBatch.MAGIC_VALUE_V2 || !BatchHeader.crcMatches(buf, pos, crc)) {
      throw new CorruptRecordException(batchAt(expectedBaseOffset) + " from the leader fails its checks");
    }
    if (BatchHeader.baseOffset(buf, pos) < expectedBaseOffset) {
      throw new InvalidRecordException("replicated batch starts at offset " + BatchHeader.baseOffset(buf, pos)
          + " but " + dir + " ends at " + expectedBaseOffset);
    }
  }

  /**
   * Rewrites validated batches in place for the leader: offsets from {@code firstOffset} on,
   * {@code leaderEpoch}, and LogAppendTime {@code appendTimeMs} unless it is NO_TIMESTAMP.
   */
  static void assignOffsets(MemoryRecords records, long firstOffset, int leaderEpoch, long appendTimeMs) {
    long offset = firstOffset;
    for (MutableRecordBatch batch : records.batches()) {
      long lastOffsetDelta = batch.lastOffset() - batch.baseOffset();
      batch.setLastOffset(offset + lastOffsetDelta);
      batch.setPartitionLeaderEpoch(leaderEpoch);
      if (appendTimeMs != RecordBatch.NO_TIMESTAMP) {
        batch.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, appendTimeMs);
      }
      offset += lastOffsetDelta + 1;
    }
  }

  /**
   * As Kafka: a compacted log keeps the last record of each key, so it takes only keyed records.
   * {@code firstOffset} is the offset the first batch would get, for the message.
   */
  void requireKeys(MemoryRecords records, long firstOffset) {
    long offset = firstOffset;
    for (MutableRecordBatch batch : records.batches()) {
      for (Record record : batch) {
        if (!record.hasKey()) {
          throw new InvalidRecordException("Compacted topic cannot accept message without key: "
              + batchAt(offset) + " (cleanup.policy=compact)");
        }
      }
      offset += batch.lastOffset() - batch.baseOffset() + 1;
    }
  }

  /** Names a batch in an error message; built only on failure, as validation runs per batch. */
  private String batchAt(long offset) {
    return "batch for offset " + offset + " of " + dir;
  }
}
