package io.vltava.log;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;

/**
 * Reads the fields of a Kafka v2 record batch header in place, at an absolute position of a
 * buffer, so hot paths frame and check batches without creating objects. Stateless.
 */
final class BatchHeader {
  /** Bytes of the header up to and including lastOffsetDelta: enough to frame and place a batch. */
  static final int FRAMING_BYTES = DefaultRecordBatch.LAST_OFFSET_DELTA_OFFSET + 4;
  static final int OVERHEAD_BYTES = DefaultRecordBatch.RECORD_BATCH_OVERHEAD;
  private static final int ATTRIBUTES_OFFSET = DefaultRecordBatch.CRC_OFFSET + 4;
  private static final int PARTITION_LEADER_EPOCH_OFFSET = 12;
  private static final int MAX_TIMESTAMP_OFFSET = 35;
  private static final int PRODUCER_ID_OFFSET = 43;
  private static final int PRODUCER_EPOCH_OFFSET = 51;
  private static final int BASE_SEQUENCE_OFFSET = 53;
  private static final int TRANSACTIONAL_FLAG = 0x10;
  private static final int CONTROL_FLAG = 0x20;

  private BatchHeader() {}

  static long baseOffset(ByteBuffer buf, int pos) {
    return buf.getLong(pos + Records.OFFSET_OFFSET);
  }

  /** The whole batch's size in bytes, including the offset and length fields. */
  static int sizeBytes(ByteBuffer buf, int pos) {
    return buf.getInt(pos + Records.SIZE_OFFSET) + Records.LOG_OVERHEAD;
  }

  static byte magic(ByteBuffer buf, int pos) {
    return buf.get(pos + Records.MAGIC_OFFSET);
  }

  static int lastOffsetDelta(ByteBuffer buf, int pos) {
    return buf.getInt(pos + DefaultRecordBatch.LAST_OFFSET_DELTA_OFFSET);
  }

  static long lastOffset(ByteBuffer buf, int pos) {
    return baseOffset(buf, pos) + lastOffsetDelta(buf, pos);
  }

  static long maxTimestampMs(ByteBuffer buf, int pos) {
    return buf.getLong(pos + MAX_TIMESTAMP_OFFSET);
  }

  static int partitionLeaderEpoch(ByteBuffer buf, int pos) {
    return buf.getInt(pos + PARTITION_LEADER_EPOCH_OFFSET);
  }

  /** The idempotent producer's id, or -1 (RecordBatch.NO_PRODUCER_ID) for a batch without one. */
  static long producerId(ByteBuffer buf, int pos) {
    return buf.getLong(pos + PRODUCER_ID_OFFSET);
  }

  static short producerEpoch(ByteBuffer buf, int pos) {
    return buf.getShort(pos + PRODUCER_EPOCH_OFFSET);
  }

  static int baseSequence(ByteBuffer buf, int pos) {
    return buf.getInt(pos + BASE_SEQUENCE_OFFSET);
  }

  /** The producer's sequence number of the batch's last record. */
  static int lastSequence(ByteBuffer buf, int pos) {
    return DefaultRecordBatch.incrementSequence(baseSequence(buf, pos), lastOffsetDelta(buf, pos));
  }

  static boolean isControl(ByteBuffer buf, int pos) {
    return (buf.getShort(pos + ATTRIBUTES_OFFSET) & CONTROL_FLAG) != 0;
  }

  static boolean isTransactional(ByteBuffer buf, int pos) {
    return (buf.getShort(pos + ATTRIBUTES_OFFSET) & TRANSACTIONAL_FLAG) != 0;
  }

  static int recordCount(ByteBuffer buf, int pos) {
    return buf.getInt(pos + DefaultRecordBatch.RECORDS_COUNT_OFFSET);
  }

  /**
   * Why the batch at {@code pos} cannot be framed (size field, magic), or null if it can; the
   * batch may extend past {@code limit}, which the caller checks.
   */
  static String framingError(ByteBuffer buf, int pos, int limit) {
    if (limit - pos < Records.LOG_OVERHEAD) {
      return "partial batch header: " + (limit - pos) + " bytes";
    }
    int size = sizeBytes(buf, pos);
    if (size < OVERHEAD_BYTES) {
      return "batch size " + size + " is below the v2 header size " + OVERHEAD_BYTES;
    }
    if (limit - pos < Records.HEADER_SIZE_UP_TO_MAGIC) {
      return "partial batch header: " + (limit - pos) + " bytes";
    }
    byte magic = magic(buf, pos);
    if (magic != RecordBatch.MAGIC_VALUE_V2) {
      return "magic " + magic + " is not supported (only v2)";
    }
    if (size > limit - pos) {
      return "partial batch: size " + size + " but " + (limit - pos) + " bytes left";
    }
    if (lastOffsetDelta(buf, pos) < 0) {
      return "negative lastOffsetDelta " + lastOffsetDelta(buf, pos);
    }
    return null;
  }

  /** Whether the stored CRC32C matches the bytes from the attributes to the end of the batch. */
  static boolean crcMatches(ByteBuffer buf, int pos, CRC32C scratch) {
    int size = sizeBytes(buf, pos);
    scratch.reset();
    scratch.update(buf.slice(pos + ATTRIBUTES_OFFSET, size - ATTRIBUTES_OFFSET));
    return (int) scratch.getValue() == buf.getInt(pos + DefaultRecordBatch.CRC_OFFSET);
  }
}
