package io.vltava.persistence;

import java.nio.ByteBuffer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.internal.Record;

/** The 8-byte big-endian numbers that journal and snapshot records carry in headers. */
final class LongHeaders {
  private LongHeaders() {}

  static byte[] bytes(long value) {
    return ByteBuffer.allocate(Long.BYTES).putLong(0, value).array();
  }

  /** The number in {@code record}'s header {@code name}; a record without it is not one of ours. */
  static long read(Record record, String name) {
    for (Header header : record.headers()) {
      if (header.key().equals(name)) {
        return ByteBuffer.wrap(header.value()).getLong();
      }
    }
    throw new IllegalStateException("record at offset " + record.offset() + " has no " + name + " header");
  }
}
