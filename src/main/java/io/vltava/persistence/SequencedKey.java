package io.vltava.persistence;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The record key of one entry of a persistence id, in the journal (an event) and in the snapshot
 * store (a snapshot): the id in UTF-8 followed by the sequence number as 8 bytes big-endian. Every
 * entry has a key of its own, so a compacted topic keeps each live one and a tombstone with the
 * same key removes exactly that one. Two keys of the same length are equal only if both id and
 * sequence number are: the number has a fixed width.
 */
record SequencedKey(String persistenceId, long seqNr) {

  byte[] bytes() {
    byte[] id = persistenceId.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(id.length + Long.BYTES).put(id).putLong(seqNr).array();
  }

  /** The key in {@code key}'s remaining bytes (left unread). */
  static SequencedKey parse(ByteBuffer key) {
    if (key.remaining() < Long.BYTES) {
      throw new IllegalArgumentException("a key of " + key.remaining() + " bytes holds no 8-byte sequence number");
    }
    int idEnd = key.limit() - Long.BYTES;
    long seqNr = key.getLong(idEnd);
    String persistenceId = StandardCharsets.UTF_8.decode(key.duplicate().limit(idEnd)).toString();
    return new SequencedKey(persistenceId, seqNr);
  }
}
