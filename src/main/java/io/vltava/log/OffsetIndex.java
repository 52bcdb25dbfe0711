package io.vltava.log;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Sparse map from offset to file position in one segment: an entry (relative base offset of a
 * batch, position of that batch) every {@code indexIntervalBytes} of log. Invariant: both columns
 * strictly increase and every position is the start of a batch whose base offset is the entry's.
 * A reader that finds a position not matching its entry falls back to a scan (see LogSegment).
 * Thread-safety as {@link AbstractIndex}.
 */
final class OffsetIndex extends AbstractIndex {
  static final int ENTRY_SIZE_BYTES = 8;

  OffsetIndex(Path file, long baseOffset, int maxIndexBytes) {
    super(file, baseOffset, maxIndexBytes, 1, ENTRY_SIZE_BYTES);
  }

  void append(long batchBaseOffset, int position) {
    appendSlots(((long) relativeOffset(batchBaseOffset) << 32) | (position & 0xFFFFFFFFL), 0);
  }

  /** The indexed (offset, position) at or below {@code offset}, or (baseOffset, 0). */
  IndexEntry lookup(long offset) {
    int i = lastEntryBelow(offset - baseOffset, true);
    if (i < 0) {
      return new IndexEntry(baseOffset, 0);
    }
    long slot = slotsForRead()[i]; // read after the count, so the array holds entry i
    return new IndexEntry(baseOffset + (slot >>> 32), (int) slot);
  }

  /** Drops the entries for batches at or after {@code offset}. */
  void truncateTo(long offset) throws java.io.IOException {
    truncateToEntries(lastEntryBelow(offset - baseOffset, false) + 1);
  }

  @Override
  protected long key(long[] slots, int i) {
    return slots[i] >>> 32;
  }

  @Override
  protected void encode(long[] slots, int i, ByteBuffer out) {
    out.putInt((int) (slots[i] >>> 32)).putInt((int) slots[i]);
  }

  @Override
  protected void decode(ByteBuffer in, long[] slots, int i) {
    int relativeOffset = in.getInt();
    int position = in.getInt();
    slots[i] = ((long) relativeOffset << 32) | (position & 0xFFFFFFFFL);
  }

  @Override
  protected String sanityError(long[] slots, int entries, int logSizeBytes) {
    long previousOffset = -1;
    long previousPosition = -1;
    for (int i = 0; i < entries; i++) {
      long relativeOffset = (int) (slots[i] >>> 32);
      long position = (int) slots[i];
      if (relativeOffset <= previousOffset || position <= previousPosition || position >= logSizeBytes) {
        return "entry " + i + " (" + relativeOffset + ", " + position + ") breaks the ordering or exceeds the log";
      }
      previousOffset = relativeOffset;
      previousPosition = position;
    }
    return null;
  }

  /** An offset and the file position of the batch starting there. */
  record IndexEntry(long offset, int position) {}
}
