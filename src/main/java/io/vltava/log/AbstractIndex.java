package io.vltava.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The sparse index of one segment, held in memory and persisted to its file when the segment is
 * flushed (an index lost in a crash is rebuilt from the log, so writing it on every append would
 * only cost syscalls). Entries are sorted by a key that strictly increases.
 *
 * <p>Thread-safety: one writer, many readers. An entry is written into {@code slots} before the
 * volatile {@code entries} count that publishes it; a grown array is published before the count.
 */
abstract class AbstractIndex {
  protected final Path file;
  protected final long baseOffset;
  private final int slotsPerEntry;
  private final int entrySizeBytes;
  private int maxEntries;
  private volatile long[] slots;
  private volatile int entries;
  private int persistedEntries;

  AbstractIndex(Path file, long baseOffset, int maxIndexBytes, int slotsPerEntry, int entrySizeBytes) {
    this.file = file;
    this.baseOffset = baseOffset;
    this.slotsPerEntry = slotsPerEntry;
    this.entrySizeBytes = entrySizeBytes;
    this.maxEntries = Math.max(1, maxIndexBytes / entrySizeBytes);
    this.slots = new long[slotsPerEntry * 16];
  }

  /** The key entries are sorted by, of entry {@code i} in {@code slots}. */
  protected abstract long key(long[] slots, int i);

  protected abstract void encode(long[] slots, int i, ByteBuffer out);

  protected abstract void decode(ByteBuffer in, long[] slots, int i);

  /** Why the decoded entries cannot be trusted against a log of {@code logSizeBytes}, or null. */
  protected abstract String sanityError(long[] slots, int entries, int logSizeBytes);

  final int entries() {
    return entries;
  }

  final boolean isFull() {
    return entries >= maxEntries;
  }

  final void setMaxIndexBytes(int maxIndexBytes) {
    maxEntries = Math.max(1, maxIndexBytes / entrySizeBytes);
  }

  final long[] slotsForRead() {
    return slots;
  }

  /** Appends an entry given as its slots; its key must exceed the last one's. */
  protected final void appendSlots(long first, long second) {
    int n = entries;
    long[] current = slots;
    if ((n + 1) * slotsPerEntry > current.length) {
      current = Arrays.copyOf(current, current.length * 2);
      slots = current;
    }
    current[n * slotsPerEntry] = first;
    if (slotsPerEntry > 1) {
      current[n * slotsPerEntry + 1] = second;
    }
    entries = n + 1;
  }

  /** The index of the last entry whose key is below {@code key} (or equal, if inclusive), else -1. */
  protected final int lastEntryBelow(long key, boolean inclusive) {
    int n = entries;
    long[] s = slots;
    int lo = 0;
    int hi = n - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      long k = key(s, mid);
      if (k < key || (inclusive && k == key)) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Keeps the first {@code keep} entries, in memory and on disk. */
  protected final void truncateToEntries(int keep) throws IOException {
    if (keep >= entries) {
      return;
    }
    entries = keep;
    if (persistedEntries > keep) {
      persistedEntries = keep;
      if (Files.exists(file)) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
          ch.truncate((long) keep * entrySizeBytes);
        }
      }
    }
  }

  final void clear() throws IOException {
    truncateToEntries(0);
  }

  /**
   * Loads the entries from the file; false if it is absent or fails a sanity check, in which case
   * the index is empty and the caller rebuilds it from the log.
   */
  final boolean load(int logSizeBytes) throws IOException {
    entries = 0;
    persistedEntries = 0;
    if (!Files.exists(file)) {
      return false;
    }
    long sizeBytes = Files.size(file);
    // Not bounded by maxEntries: a config change or a many-batch append may have exceeded it.
    if (sizeBytes % entrySizeBytes != 0 || sizeBytes / entrySizeBytes > Integer.MAX_VALUE / 2) {
      return false;
    }
    int n = (int) (sizeBytes / entrySizeBytes);
    ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
    long[] loaded = new long[Math.max(16, n) * slotsPerEntry];
    for (int i = 0; i < n; i++) {
      decode(in, loaded, i);
    }
    if (in.position() != sizeBytes || sanityError(loaded, n, logSizeBytes) != null) {
      return false;
    }
    slots = loaded;
    entries = n;
    persistedEntries = n;
    return true;
  }

  /** Writes the entries not yet on disk and fsyncs the file. */
  final void flush() throws IOException {
    int n = entries;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      if (n > persistedEntries) {
        ByteBuffer out = ByteBuffer.allocate((n - persistedEntries) * entrySizeBytes);
        long[] s = slots;
        for (int i = persistedEntries; i < n; i++) {
          encode(s, i, out);
        }
        out.flip();
        long position = (long) persistedEntries * entrySizeBytes;
        while (out.hasRemaining()) {
          position += ch.write(out, position);
        }
        persistedEntries = n;
      }
      ch.truncate((long) n * entrySizeBytes);
      ch.force(true);
    }
  }

  final void deleteFile() throws IOException {
    Files.deleteIfExists(file);
  }

  /** The relative offset stored for {@code offset}, checked to fit an int. */
  protected final int relativeOffset(long offset) {
    long relative = offset - baseOffset;
    if (relative < 0 || relative > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("offset " + offset + " does not fit the index of segment " + baseOffset);
    }
    return (int) relative;
  }
}
