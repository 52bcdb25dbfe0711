package io.vltava.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.utils.ByteBufferUnmapper;
import org.apache.kafka.common.utils.Utils;

/**
 * The sparse index of one segment: fixed-size entries, sorted by a key that strictly increases,
 * kept in the file's own byte layout. While the segment is active the entries live in a heap
 * buffer and reach the file when the segment is flushed (an index lost in a crash is rebuilt from
 * the log, so writing it on every append would only cost syscalls). Once the segment is finished
 * and flushed, the index is sealed: the file is memory-mapped read-only and the heap copy dropped,
 * so only active segments' indexes use heap.
 *
 * <p>Thread-safety: one writer, many readers. The writer fills an entry before the volatile
 * {@code entries} count publishes it, and publishes a grown or mapped buffer before any count
 * that needs it; readers take a {@link #view()} (count first, then buffer) and use only it.
 * Readers do so between {@link #beginRead()} and {@link #endRead()}, so that {@link #release()}
 * can unmap the file once none is inside: a read of an unmapped buffer would crash the JVM.
 */
abstract class AbstractIndex {
  private static final ByteBuffer RELEASED = ByteBuffer.allocate(0);

  /** Changes only when the log cleaner swaps a segment in (writer only). */
  private Path file;
  protected final long baseOffset;
  private final int entrySizeBytes;
  private int maxEntries;
  private volatile ByteBuffer buffer;
  private volatile int entries;
  private int persistedEntries;
  /** The file was cut by a truncation since it was last fsynced. */
  private boolean truncatedSinceFlush;
  private boolean sealed;
  /** Readers between beginRead and endRead. */
  private final AtomicInteger readers = new AtomicInteger();

  AbstractIndex(Path file, long baseOffset, int maxIndexBytes, int entrySizeBytes) {
    this.file = file;
    this.baseOffset = baseOffset;
    this.entrySizeBytes = entrySizeBytes;
    this.maxEntries = Math.max(1, maxIndexBytes / entrySizeBytes);
    this.buffer = ByteBuffer.allocate(16 * entrySizeBytes);
  }

  /** The key of entry {@code i} of {@code view}; entries are sorted by it. */
  protected abstract long key(ByteBuffer view, int i);

  /** Why the entries cannot be trusted against a log of {@code logSizeBytes}, or null. */
  protected abstract String sanityError(ByteBuffer view, int entries, int logSizeBytes);

  final int entries() {
    return entries;
  }

  final boolean isFull() {
    return entries >= maxEntries;
  }

  final void setMaxIndexBytes(int maxIndexBytes) {
    maxEntries = Math.max(1, maxIndexBytes / entrySizeBytes);
  }

  /** The published entries: a window whose limit is entries × entry size; valid however the index changes after. */
  protected final ByteBuffer view() {
    int n = entries;
    ByteBuffer b = buffer;
    return b.duplicate().limit(Math.min(n * entrySizeBytes, b.capacity()));
  }

  protected final int entriesIn(ByteBuffer view) {
    return view.limit() / entrySizeBytes;
  }

  /** {@link #view()} for a reader, who calls {@link #endRead()} once done with it. */
  protected final ByteBuffer beginRead() {
    readers.incrementAndGet();
    return view();
  }

  protected final void endRead() {
    readers.decrementAndGet();
  }

  /** The current buffer, for the writer's own reads: no window to allocate, nothing to unseal. */
  protected final ByteBuffer writerBuffer() {
    return buffer;
  }

  /** The buffer to write the next entry into, at byte {@code entries() * entry size}. */
  protected final ByteBuffer bufferForAppend() {
    if (sealed) {
      unseal();
    }
    int used = entries * entrySizeBytes;
    ByteBuffer b = buffer;
    if (used + entrySizeBytes > b.capacity()) {
      ByteBuffer grown = ByteBuffer.allocate(2 * b.capacity());
      grown.put(0, b, 0, used);
      buffer = grown;
      b = grown;
    }
    return b;
  }

  /** Publishes the entry written through {@link #bufferForAppend()}. */
  protected final void publishAppended() {
    entries = entries + 1;
  }

  /** The index of the last entry of {@code view} whose key is below {@code key} (or equal, if inclusive), else -1. */
  protected final int lastEntryBelow(ByteBuffer view, long key, boolean inclusive) {
    int lo = 0;
    int hi = entriesIn(view) - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      long k = key(view, mid);
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
    if (sealed) {
      unseal();
    }
    entries = keep;
    if (persistedEntries > keep) {
      persistedEntries = keep;
      if (Files.exists(file)) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
          ch.truncate((long) keep * entrySizeBytes);
        }
        truncatedSinceFlush = true;
      }
    }
  }

  final void clear() throws IOException {
    truncateToEntries(0);
  }

  /** Back to a heap copy, for a sealed segment that is active again after a truncation. */
  private void unseal() {
    ByteBuffer heap = ByteBuffer.allocate(Math.max(16, entries) * entrySizeBytes);
    heap.put(0, buffer, 0, entries * entrySizeBytes);
    buffer = heap;
    sealed = false;
  }

  /**
   * Loads the entries from the file; false if it is absent or fails a sanity check, in which case
   * the index is empty and the caller rebuilds it from the log.
   */
  final boolean load(int logSizeBytes) throws IOException {
    entries = 0;
    persistedEntries = 0;
    truncatedSinceFlush = false;
    sealed = false;
    if (!Files.exists(file)) {
      return false;
    }
    long sizeBytes = Files.size(file);
    // Not bounded by maxEntries: a config change or a many-batch append may have exceeded it.
    if (sizeBytes % entrySizeBytes != 0 || sizeBytes > Integer.MAX_VALUE / 2) {
      return false;
    }
    int n = (int) (sizeBytes / entrySizeBytes);
    ByteBuffer loaded = ByteBuffer.allocate(Math.max(16, n) * entrySizeBytes);
    loaded.put(0, Files.readAllBytes(file), 0, (int) sizeBytes);
    if (sanityError(loaded.duplicate().limit((int) sizeBytes), n, logSizeBytes) != null) {
      return false;
    }
    buffer = loaded;
    entries = n;
    persistedEntries = n;
    return true;
  }

  /** Whether the file lacks entries or holds a truncation not yet fsynced: whether {@link #flush} has work. */
  final boolean needsFlush() {
    return entries != persistedEntries || truncatedSinceFlush;
  }

  /** Writes the entries not yet on disk and fsyncs the file. */
  final void flush() throws IOException {
    int n = entries;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      if (n > persistedEntries) {
        ByteBuffer out = buffer.duplicate()
            .limit(n * entrySizeBytes).position(persistedEntries * entrySizeBytes);
        long position = (long) persistedEntries * entrySizeBytes;
        while (out.hasRemaining()) {
          position += ch.write(out, position);
        }
        persistedEntries = n;
      }
      ch.truncate((long) n * entrySizeBytes);
      ch.force(true);
    }
    truncatedSinceFlush = false;
  }

  /** Flushes if needed, maps the file read-only and drops the heap copy. */
  final void seal() throws IOException {
    if (sealed) {
      return;
    }
    if (persistedEntries != entries) {
      flush();
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      buffer = ch.map(FileChannel.MapMode.READ_ONLY, 0, (long) entries * entrySizeBytes);
    }
    sealed = true;
  }

  /**
   * Empties the index for good and unmaps a sealed file once no reader is inside a lookup (readers
   * that come after see no entries). Left to the garbage collector, a mapping outlives its segment
   * until the old generation is collected, which at a steady load can be hours of rolled and
   * deleted segments: their mappings pile up towards the kernel's limit (vm.max_map_count) and a
   * deleted file's blocks stay allocated. Kafka unmaps on close too. Writer only, after the segment
   * left the log.
   */
  final void release() throws IOException {
    ByteBuffer old = buffer;
    buffer = RELEASED;
    if (sealed) {
      sealed = false;
      // The volatile write above comes before this read: a reader counted after it sees RELEASED.
      while (readers.get() != 0) {
        Thread.onSpinWait();
      }
      ByteBufferUnmapper.unmap(file.toString(), old);
    }
  }

  final void deleteFile() throws IOException {
    Files.deleteIfExists(file);
  }

  /** Renames the file, if it was written yet (a mapped, sealed index stays mapped), and uses the new name from now on. */
  final void renameTo(Path target) throws IOException {
    if (Files.exists(file)) {
      Utils.atomicMoveWithFallback(file, target, false);
    }
    file = target;
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
