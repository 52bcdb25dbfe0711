package io.vltava.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Sparse map from offset to file position in one segment: an 8-byte entry (base offset of a batch
 * minus the segment's, position of that batch; int32 each) every {@code indexIntervalBytes} of
 * log. Invariant: both columns strictly increase and every position is the start of a batch whose
 * base offset is the entry's. A reader that finds a position not matching its entry falls back to
 * a scan (see LogSegment). Thread-safety as {@link AbstractIndex}.
 */
final class OffsetIndex extends AbstractIndex {
  static final int ENTRY_SIZE_BYTES = 8;

  OffsetIndex(Path file, long baseOffset, int maxIndexBytes) {
    super(file, baseOffset, maxIndexBytes, ENTRY_SIZE_BYTES);
  }

  void append(long batchBaseOffset, int position) {
    ByteBuffer b = bufferForAppend();
    int at = entries() * ENTRY_SIZE_BYTES;
    b.putInt(at, relativeOffset(batchBaseOffset)).putInt(at + 4, position);
    publishAppended();
  }

  /** The indexed (offset, position) at or below {@code offset}, or (baseOffset, 0). */
  IndexEntry lookup(long offset) {
    ByteBuffer view = beginRead();
    try {
      int i = lastEntryBelow(view, offset - baseOffset, true);
      if (i < 0) {
        return new IndexEntry(baseOffset, 0);
      }
      return new IndexEntry(baseOffset + view.getInt(i * ENTRY_SIZE_BYTES), view.getInt(i * ENTRY_SIZE_BYTES + 4));
    } finally {
      endRead();
    }
  }

  /** Drops the entries for batches at or after {@code offset}. */
  void truncateTo(long offset) throws IOException {
    truncateToEntries(lastEntryBelow(view(), offset - baseOffset, false) + 1);
  }

  @Override
  protected long key(ByteBuffer view, int i) {
    return view.getInt(i * ENTRY_SIZE_BYTES);
  }

  @Override
  protected String sanityError(ByteBuffer view, int entries, int logSizeBytes) {
    long previousOffset = -1;
    long previousPosition = -1;
    for (int i = 0; i < entries; i++) {
      long relativeOffset = view.getInt(i * ENTRY_SIZE_BYTES);
      long position = view.getInt(i * ENTRY_SIZE_BYTES + 4);
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
