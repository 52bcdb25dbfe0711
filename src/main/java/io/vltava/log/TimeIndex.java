package io.vltava.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Sparse map from time to offset in one segment: a 12-byte entry (T int64, O minus the segment's
 * base offset int32) says every record at an offset below O has a timestamp <= T. Entries are
 * added beside offset-index entries, only when the segment's largest timestamp grew, and once more
 * when the segment is flushed (O = its next offset), so T strictly increases and O is a batch
 * boundary. Thread-safety as {@link AbstractIndex}.
 */
final class TimeIndex extends AbstractIndex {
  static final int ENTRY_SIZE_BYTES = 12;

  TimeIndex(Path file, long baseOffset, int maxIndexBytes) {
    super(file, baseOffset, maxIndexBytes, ENTRY_SIZE_BYTES);
  }

  /** Records that the offsets below {@code batchBaseOffset} have timestamps <= {@code maxTimestampMs}. */
  void maybeAppend(long maxTimestampMs, long batchBaseOffset) {
    int n = entries();
    if (n == 0 || maxTimestampMs > writerBuffer().getLong((n - 1) * ENTRY_SIZE_BYTES)) {
      ByteBuffer b = bufferForAppend();
      int at = entries() * ENTRY_SIZE_BYTES;
      b.putLong(at, maxTimestampMs).putInt(at + 8, relativeOffset(batchBaseOffset));
      publishAppended();
    }
  }

  /** The timestamp of the last entry, or -1 (no timestamp) if there is none. */
  long lastTimestampMs() {
    ByteBuffer view = beginRead();
    try {
      int n = entriesIn(view);
      return n == 0 ? -1 : view.getLong((n - 1) * ENTRY_SIZE_BYTES);
    } finally {
      endRead();
    }
  }

  /** An offset from which a scan finds the first record with timestamp >= {@code timestampMs}. */
  long scanStartOffset(long timestampMs) {
    ByteBuffer view = beginRead();
    try {
      int i = lastEntryBelow(view, timestampMs, false);
      return i < 0 ? baseOffset : baseOffset + view.getInt(i * ENTRY_SIZE_BYTES + 8);
    } finally {
      endRead();
    }
  }

  /** Drops entries whose offset is above {@code offset}: they speak of records no longer there. */
  void truncateTo(long offset) throws IOException {
    ByteBuffer view = view();
    int keep = entriesIn(view);
    while (keep > 0 && baseOffset + view.getInt((keep - 1) * ENTRY_SIZE_BYTES + 8) > offset) {
      keep--;
    }
    truncateToEntries(keep);
  }

  @Override
  protected long key(ByteBuffer view, int i) {
    return view.getLong(i * ENTRY_SIZE_BYTES);
  }

  @Override
  protected String sanityError(ByteBuffer view, int entries, int logSizeBytes) {
    for (int i = 0; i < entries; i++) {
      long timestampMs = view.getLong(i * ENTRY_SIZE_BYTES);
      int relativeOffset = view.getInt(i * ENTRY_SIZE_BYTES + 8);
      boolean decreasing = i > 0 && (timestampMs <= view.getLong((i - 1) * ENTRY_SIZE_BYTES)
          || relativeOffset < view.getInt((i - 1) * ENTRY_SIZE_BYTES + 8));
      if (relativeOffset < 0 || decreasing) {
        return "entry " + i + " breaks the ordering";
      }
    }
    return null;
  }
}
