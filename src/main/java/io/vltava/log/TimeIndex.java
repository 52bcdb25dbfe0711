package io.vltava.log;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Sparse map from time to offset in one segment: an entry (T, O) says every record at an offset
 * below O has a timestamp <= T. Entries are added beside offset-index entries, only when the
 * segment's largest timestamp grew, and once more when the segment is flushed (O = its next
 * offset), so T strictly increases and O is a batch boundary. Thread-safety as {@link AbstractIndex}.
 */
final class TimeIndex extends AbstractIndex {
  static final int ENTRY_SIZE_BYTES = 12;

  TimeIndex(Path file, long baseOffset, int maxIndexBytes) {
    super(file, baseOffset, maxIndexBytes, 2, ENTRY_SIZE_BYTES);
  }

  /** Records that the offsets below {@code batchBaseOffset} have timestamps <= {@code maxTimestampMs}. */
  void maybeAppend(long maxTimestampMs, long batchBaseOffset) {
    int n = entries();
    if (n == 0 || maxTimestampMs > slotsForRead()[2 * (n - 1)]) {
      appendSlots(maxTimestampMs, relativeOffset(batchBaseOffset));
    }
  }

  /** An offset from which a scan finds the first record with timestamp >= {@code timestampMs}. */
  long scanStartOffset(long timestampMs) {
    int i = lastEntryBelow(timestampMs, false);
    return i < 0 ? baseOffset : baseOffset + slotsForRead()[2 * i + 1]; // read after the count
  }

  /** Drops entries whose offset is above {@code offset}: they speak of records no longer there. */
  void truncateTo(long offset) throws java.io.IOException {
    long[] s = slotsForRead();
    int keep = entries();
    while (keep > 0 && baseOffset + s[2 * (keep - 1) + 1] > offset) {
      keep--;
    }
    truncateToEntries(keep);
  }

  @Override
  protected long key(long[] slots, int i) {
    return slots[2 * i];
  }

  @Override
  protected void encode(long[] slots, int i, ByteBuffer out) {
    out.putLong(slots[2 * i]).putInt((int) slots[2 * i + 1]);
  }

  @Override
  protected void decode(ByteBuffer in, long[] slots, int i) {
    slots[2 * i] = in.getLong();
    slots[2 * i + 1] = in.getInt();
  }

  @Override
  protected String sanityError(long[] slots, int entries, int logSizeBytes) {
    for (int i = 0; i < entries; i++) {
      boolean decreasing = i > 0 && (slots[2 * i] <= slots[2 * i - 2] || slots[2 * i + 1] < slots[2 * i - 1]);
      if (slots[2 * i + 1] < 0 || decreasing) {
        return "entry " + i + " breaks the ordering";
      }
    }
    return null;
  }
}
