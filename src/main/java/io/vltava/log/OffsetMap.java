package io.vltava.log;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The cleaner's map from each key to the latest offset it was written at, in a fixed amount of
 * memory: keys are stored as 16-byte MD5 digests beside their offset in an open-addressing table
 * (as Kafka's SkimpyOffsetMap). Two keys with the same digest would be taken for one; at 2^-128 per
 * pair that is accepted, as in Kafka.
 *
 * <p>Invariant: at most {@link #maxEntries()} keys are held, so probing always finds an empty
 * slot. Not thread-safe: each cleaner thread owns its map.
 */
final class OffsetMap {
  static final int DIGEST_BYTES = 16;
  static final int ENTRY_BYTES = DIGEST_BYTES + Long.BYTES;
  private static final long EMPTY = -1L;

  private final ByteBuffer table;
  private final int slots;
  private final int maxEntries;
  private final MessageDigest md5;
  private final byte[] digest = new byte[DIGEST_BYTES];
  private int entries;
  private long latestOffset = -1L;

  /**
   * A map for at most {@code expectedKeys} keys (fewer if {@code memoryBytes} holds fewer), filled
   * at most to {@code loadFactor} of its slots.
   */
  OffsetMap(long memoryBytes, double loadFactor, long expectedKeys) {
    long slotsInMemory = memoryBytes / ENTRY_BYTES;
    long slotsWanted = (long) Math.ceil(Math.max(1, expectedKeys) / loadFactor) + 1;
    this.slots = (int) Math.min(Integer.MAX_VALUE / ENTRY_BYTES, Math.max(2, Math.min(slotsInMemory, slotsWanted)));
    this.maxEntries = Math.max(1, (int) (slots * loadFactor));
    this.table = ByteBuffer.allocate(slots * ENTRY_BYTES);
    try {
      this.md5 = MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no MD5", e);
    }
    clear();
  }

  int maxEntries() {
    return maxEntries;
  }

  int size() {
    return entries;
  }

  /** Whether {@code moreKeys} new keys are certain to fit. */
  boolean hasRoomFor(long moreKeys) {
    return entries + moreKeys <= maxEntries;
  }

  /** The largest offset put, or -1. */
  long latestOffset() {
    return latestOffset;
  }

  /** Records that {@code key} was written at {@code offset}; offsets are put in increasing order. */
  void put(ByteBuffer key, long offset) {
    int slot = find(key);
    if (table.getLong(slot * ENTRY_BYTES + DIGEST_BYTES) == EMPTY) {
      if (entries >= maxEntries) {
        throw new IllegalStateException("offset map is full at " + entries + " keys");
      }
      table.put(slot * ENTRY_BYTES, digest);
      entries++;
    }
    table.putLong(slot * ENTRY_BYTES + DIGEST_BYTES, offset);
    latestOffset = Math.max(latestOffset, offset);
  }

  /** The latest offset of {@code key}, or -1 if it was not put. */
  long get(ByteBuffer key) {
    return table.getLong(find(key) * ENTRY_BYTES + DIGEST_BYTES);
  }

  void clear() {
    for (int slot = 0; slot < slots; slot++) {
      table.putLong(slot * ENTRY_BYTES + DIGEST_BYTES, EMPTY);
    }
    entries = 0;
    latestOffset = -1L;
  }

  /** The slot holding the key's digest, or the empty slot where it would go; leaves the digest in {@link #digest}. */
  private int find(ByteBuffer key) {
    md5.update(key.duplicate());
    try {
      md5.digest(digest, 0, DIGEST_BYTES);
    } catch (java.security.DigestException e) {
      throw new IllegalStateException(e);
    }
    int slot = Math.floorMod(ByteBuffer.wrap(digest).getInt(), slots);
    while (true) {
      int at = slot * ENTRY_BYTES;
      if (table.getLong(at + DIGEST_BYTES) == EMPTY || digestAt(at)) {
        return slot;
      }
      slot = slot + 1 == slots ? 0 : slot + 1;
    }
  }

  private boolean digestAt(int position) {
    for (int i = 0; i < DIGEST_BYTES; i++) {
      if (table.get(position + i) != digest[i]) {
        return false;
      }
    }
    return true;
  }
}
