package io.vltava.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.FileRecords.TimestampAndOffset;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Utils;

/**
 * One {@code <baseOffset>.log} file of whole v2 record batches, held as kafka-clients'
 * {@link FileRecords}, with its offset and time indexes.
 * Invariant: the base offset is <= every offset in the segment and > every offset of earlier
 * segments; the bytes from position 0 to {@link #sizeBytes()} are whole batches, back to back.
 *
 * <p>Thread-safety: one writer (the log's), many readers. FileRecords publishes its size only
 * after a batch is fully written, and a reader reads below the size it saw. The fetch path frames
 * and checks batches in place ({@link BatchHeader}) so it creates no object per batch; loading,
 * recovery and scans iterate FileRecords' batches.
 */
final class LogSegment {
  static final String LOG_SUFFIX = ".log";
  static final String INDEX_SUFFIX = ".index";
  static final String TIME_INDEX_SUFFIX = ".timeindex";
  /** Appended to every file name of a segment the log cleaner is writing. */
  static final String CLEANED_SUFFIX = ".cleaned";
  /** A cleaned segment, complete and fsynced, that replaces the segments in its offset range. */
  static final String SWAP_SUFFIX = ".swap";
  /** A segment replaced by a swap, about to be deleted. */
  static final String DELETED_SUFFIX = ".deleted";

  private final Path dir;
  private final long baseOffset;
  /** Changes only when the log cleaner swaps the segment in (writer only). */
  private Path logFile;
  private final FileRecords records;
  private final OffsetIndex offsetIndex;
  private final TimeIndex timeIndex;
  private long nextOffset;
  private volatile long maxTimestampMs = RecordBatch.NO_TIMESTAMP;
  private long firstBatchMaxTimestampMs = RecordBatch.NO_TIMESTAMP;
  private final long createdMs;
  private long lastAppendMs;
  private int bytesSinceLastIndexEntry;
  /**
   * Whether the log file holds nothing that was not fsynced: true for an existing segment as loaded
   * (the loader trusts only fsynced segments and flushes what it rebuilds), false once written,
   * recovered or created, until the next {@link #flush}.
   */
  private boolean logFileFlushed;

  private LogSegment(Path dir, long baseOffset, String fileSuffix, int maxIndexBytes, long nowMs, boolean create)
      throws IOException {
    this.dir = dir;
    this.baseOffset = baseOffset;
    this.logFile = dir.resolve(fileName(baseOffset, LOG_SUFFIX) + fileSuffix);
    if (create) {
      Files.createFile(logFile); // fails if a file was left at this offset
    }
    this.records = FileRecords.open(logFile.toFile(), true, true, 0, false);
    this.offsetIndex = new OffsetIndex(dir.resolve(fileName(baseOffset, INDEX_SUFFIX) + fileSuffix), baseOffset,
        maxIndexBytes);
    this.timeIndex = new TimeIndex(dir.resolve(fileName(baseOffset, TIME_INDEX_SUFFIX) + fileSuffix), baseOffset,
        maxIndexBytes);
    this.nextOffset = baseOffset;
    this.createdMs = create ? nowMs : Files.getLastModifiedTime(logFile).toMillis();
    this.logFileFlushed = !create;
    this.lastAppendMs = createdMs;
    if (create) {
      offsetIndex.deleteFile();
      timeIndex.deleteFile();
    }
  }

  static LogSegment create(Path dir, long baseOffset, int maxIndexBytes, long nowMs) throws IOException {
    return new LogSegment(dir, baseOffset, "", maxIndexBytes, nowMs, true);
  }

  /**
   * Creates a segment for the log cleaner to write, its files named with {@link #CLEANED_SUFFIX};
   * LocalLog#replaceSegments swaps it in. A crash before then leaves files the next open deletes.
   */
  static LogSegment createCleaned(Path dir, long baseOffset, int maxIndexBytes, long nowMs) throws IOException {
    return new LogSegment(dir, baseOffset, CLEANED_SUFFIX, maxIndexBytes, nowMs, true);
  }

  /** Opens an existing segment; the caller then calls {@link #loadTrusted} or {@link #recover}. */
  static LogSegment open(Path dir, long baseOffset, int maxIndexBytes, long nowMs) throws IOException {
    return new LogSegment(dir, baseOffset, "", maxIndexBytes, nowMs, false);
  }

  /** Opens a segment whose files carry {@code fileSuffix} (a swap being completed on load). */
  static LogSegment open(Path dir, long baseOffset, String fileSuffix, int maxIndexBytes, long nowMs)
      throws IOException {
    return new LogSegment(dir, baseOffset, fileSuffix, maxIndexBytes, nowMs, false);
  }

  static String fileName(long baseOffset, String suffix) {
    return String.format("%020d%s", baseOffset, suffix);
  }

  long baseOffset() {
    return baseOffset;
  }

  int sizeBytes() {
    return records.sizeInBytes();
  }

  /** The offset after the last batch (the base offset when empty). Writer only. */
  long nextOffset() {
    return nextOffset;
  }

  long maxTimestampMs() {
    return maxTimestampMs;
  }

  /** The largest timestamp of the first batch, or -1; max.compaction.lag.ms counts from it, as Kafka. Writer only. */
  long firstBatchTimestampMs() {
    return firstBatchMaxTimestampMs;
  }

  /** The time the segment counts its age from for segment.ms: its first batch's timestamp, like Kafka. */
  long rollingBaseMs() {
    return firstBatchMaxTimestampMs >= 0 ? firstBatchMaxTimestampMs : createdMs;
  }

  /** The time retention.ms compares: the largest record timestamp, or the last write if none. */
  long retentionTimestampMs() {
    return maxTimestampMs >= 0 ? maxTimestampMs : lastAppendMs;
  }

  boolean indexesFull() {
    return offsetIndex.isFull() || timeIndex.isFull();
  }

  void setMaxIndexBytes(int maxIndexBytes) {
    offsetIndex.setMaxIndexBytes(maxIndexBytes);
    timeIndex.setMaxIndexBytes(maxIndexBytes);
  }

  /**
   * Appends already validated batches with assigned offsets (their buffer at position 0: FileRecords
   * counts a MemoryRecords' size from there), then indexes them. On a failed write the file is cut
   * back, so no partial batch is left for a later append or open to trip on.
   */
  void append(MemoryRecords batches, int indexIntervalBytes, long nowMs) throws IOException {
    ByteBuffer buf = batches.buffer();
    if (buf.position() != 0) {
      throw new IllegalArgumentException("batches to append start at buffer position " + buf.position());
    }
    int filePosition = records.sizeInBytes();
    logFileFlushed = false;
    try {
      records.append(batches);
    } catch (IOException e) {
      try {
        records.truncateTo(filePosition);
      } catch (IOException | KafkaException truncateFailure) {
        e.addSuppressed(truncateFailure);
      }
      throw e;
    }
    int end = buf.limit();
    for (int pos = 0; pos < end; pos += BatchHeader.sizeBytes(buf, pos)) {
      onBatchWritten(BatchHeader.baseOffset(buf, pos), BatchHeader.lastOffset(buf, pos),
          BatchHeader.maxTimestampMs(buf, pos), BatchHeader.sizeBytes(buf, pos), filePosition + pos, indexIntervalBytes);
    }
    lastAppendMs = nowMs;
  }

  /** Updates indexes and in-memory metadata for a batch stored at {@code filePosition}. */
  private void onBatchWritten(long batchBaseOffset, long batchLastOffset, long batchMaxTimestampMs, int batchSizeBytes,
      int filePosition, int indexIntervalBytes) {
    if (bytesSinceLastIndexEntry >= indexIntervalBytes) {
      offsetIndex.append(batchBaseOffset, filePosition);
      if (maxTimestampMs >= 0) {
        timeIndex.maybeAppend(maxTimestampMs, batchBaseOffset);
      }
      bytesSinceLastIndexEntry = 0;
    }
    bytesSinceLastIndexEntry += batchSizeBytes;
    if (nextOffset == baseOffset && filePosition == 0) {
      firstBatchMaxTimestampMs = batchMaxTimestampMs;
    }
    if (batchMaxTimestampMs > maxTimestampMs) {
      maxTimestampMs = batchMaxTimestampMs;
    }
    nextOffset = batchLastOffset + 1;
  }

  /**
   * Opens a segment that was flushed before shutdown: loads its indexes if they pass sanity
   * checks, else rebuilds them (which re-validates the batches, see {@link #recover}).
   * Returns the bytes cut off the end because they were not whole valid batches (0 if intact).
   */
  int loadTrusted(int indexIntervalBytes, boolean offsetGapsAllowed) throws IOException {
    int sizeBytes = records.sizeInBytes();
    if (!offsetIndex.load(sizeBytes) || !timeIndex.load(sizeBytes) || !lastIndexEntryMatches(sizeBytes)) {
      return recover(indexIntervalBytes, offsetGapsAllowed);
    }
    // The tail after the last index entry is scanned for the next offset and largest timestamp.
    int position = offsetIndex.lookup(Long.MAX_VALUE).position();
    maxTimestampMs = timeIndex.lastTimestampMs();
    try {
      for (FileChannelRecordBatch batch : records.batchesFrom(position)) {
        if (!isV2Batch(batch) || batch.lastOffset() < batch.baseOffset()) {
          return recover(indexIntervalBytes, offsetGapsAllowed);
        }
        maxTimestampMs = Math.max(maxTimestampMs, batch.maxTimestamp());
        nextOffset = batch.lastOffset() + 1;
        bytesSinceLastIndexEntry += batch.sizeInBytes();
        position += batch.sizeInBytes();
      }
    } catch (CorruptRecordException e) {
      return recover(indexIntervalBytes, offsetGapsAllowed);
    } catch (KafkaException e) {
      throw unwrapIo(e);
    }
    if (position != sizeBytes) {
      return recover(indexIntervalBytes, offsetGapsAllowed);
    }
    if (sizeBytes > 0) {
      firstBatchMaxTimestampMs = records.batches().iterator().next().maxTimestamp();
    }
    timeIndex.truncateTo(nextOffset);
    return 0;
  }

  private boolean lastIndexEntryMatches(int sizeBytes) throws IOException {
    if (offsetIndex.entries() == 0) {
      return true;
    }
    OffsetIndex.IndexEntry last = offsetIndex.lookup(Long.MAX_VALUE);
    ByteBuffer header = ByteBuffer.allocate(BatchHeader.FRAMING_BYTES);
    return readFraming(header, last.position(), sizeBytes) && BatchHeader.baseOffset(header, 0) == last.offset();
  }

  /**
   * Re-validates every batch (magic, size, CRC, offsets contiguous from the base offset — the
   * base offset field is outside the CRC, and the leader assigns offsets without gaps — or, with
   * {@code offsetGapsAllowed} for a compacted log, only increasing, as Kafka checks), rebuilds
   * both indexes and cuts the file at the first batch that fails. Returns the bytes cut (0 if
   * every byte belongs to a valid batch).
   */
  int recover(int indexIntervalBytes, boolean offsetGapsAllowed) throws IOException {
    logFileFlushed = false;
    offsetIndex.clear();
    timeIndex.clear();
    nextOffset = baseOffset;
    maxTimestampMs = RecordBatch.NO_TIMESTAMP;
    firstBatchMaxTimestampMs = RecordBatch.NO_TIMESTAMP;
    bytesSinceLastIndexEntry = 0;
    int validBytes = 0;
    try {
      for (FileChannelRecordBatch batch : records.batches()) {
        if (!isV2Batch(batch) || (offsetGapsAllowed ? batch.baseOffset() < nextOffset : batch.baseOffset() != nextOffset)) {
          break;
        }
        batch.ensureValid();
        if (batch.lastOffset() < batch.baseOffset() || batch.lastOffset() + 1 - baseOffset > Integer.MAX_VALUE) {
          break;
        }
        onBatchWritten(batch.baseOffset(), batch.lastOffset(), batch.maxTimestamp(), batch.sizeInBytes(), validBytes,
            indexIntervalBytes);
        validBytes += batch.sizeInBytes();
      }
    } catch (CorruptRecordException e) {
      // A size field below any batch's, or a CRC mismatch: the valid prefix ends here.
    } catch (KafkaException e) {
      throw unwrapIo(e);
    }
    return records.truncateTo(validBytes);
  }

  /** Magic 2 and at least a v2 header's bytes: what may be read as a DefaultRecordBatch. */
  private static boolean isV2Batch(FileChannelRecordBatch batch) {
    return batch.magic() == RecordBatch.MAGIC_VALUE_V2 && batch.sizeInBytes() >= BatchHeader.OVERHEAD_BYTES;
  }

  /**
   * The batches of the segment, in order, read lazily from the file (a batch's header or records
   * are loaded when asked for). For scans of a segment validated when opened: loading, truncation,
   * and the log cleaner, which reads inactive segments while the writer appends to the active one.
   * The iteration reports an I/O error as a KafkaException; {@link #unwrapIo} recovers the IOException.
   */
  Iterable<FileChannelRecordBatch> batches() {
    return records.batches();
  }

  /**
   * The position of the first batch whose last offset is >= {@code offset}, or {@code limitBytes}
   * if there is none below it. Starts from the index and falls back to a scan from position 0 if
   * the index points at something other than the batch it names.
   */
  int positionOf(long offset, int limitBytes) throws IOException {
    OffsetIndex.IndexEntry entry = offsetIndex.lookup(offset);
    ByteBuffer header = ByteBuffer.allocate(BatchHeader.FRAMING_BYTES);
    int pos = entry.position();
    if (pos > 0 && (!readFraming(header, pos, limitBytes) || BatchHeader.baseOffset(header, 0) != entry.offset())) {
      pos = 0;
    }
    while (pos < limitBytes) {
      if (!readFraming(header, pos, limitBytes)) {
        throw new CorruptSegmentException(logFile, pos, "unreadable batch header");
      }
      if (BatchHeader.lastOffset(header, 0) >= offset) {
        return pos;
      }
      pos += BatchHeader.sizeBytes(header, 0);
    }
    return limitBytes;
  }

  /** Reads the framing of the batch at {@code position}; false if it does not fit below {@code limitBytes}. */
  private boolean readFraming(ByteBuffer header, int position, int limitBytes) throws IOException {
    header.clear();
    if (limitBytes - position < BatchHeader.FRAMING_BYTES) {
      return false;
    }
    readFully(header, position);
    header.flip();
    int size = BatchHeader.sizeBytes(header, 0);
    return size >= BatchHeader.OVERHEAD_BYTES && size <= limitBytes - position;
  }

  private void readFully(ByteBuffer buf, int position) throws IOException {
    Utils.readFullyOrFail(records.channel(), buf, position, "log segment");
  }

  /**
   * Whole batches from the one holding {@code offset}: at least one, then more while the total
   * stays within {@code maxBytes}; only batches whose last offset is below {@code maxOffsetExclusive}
   * (none if the first is not). Every returned batch passed its CRC check. Empty if no batch of
   * this segment holds an offset >= {@code offset}: the caller goes on to the next segment.
   */
  Optional<MemoryRecords> read(long offset, int maxBytes, long maxOffsetExclusive, CRC32C scratch)
      throws IOException {
    int limit = records.sizeInBytes();
    int start = positionOf(offset, limit);
    if (start == limit) {
      return Optional.empty();
    }
    ByteBuffer header = ByteBuffer.allocate(BatchHeader.FRAMING_BYTES);
    readFraming(header, start, limit);
    int firstSize = BatchHeader.sizeBytes(header, 0);
    int want = Math.max(firstSize, Math.min(maxBytes, limit - start));
    ByteBuffer buf = ByteBuffer.allocate(want);
    readFully(buf, start);
    buf.flip();
    int pos = 0;
    while (want - pos >= BatchHeader.FRAMING_BYTES) {
      int size = BatchHeader.sizeBytes(buf, pos);
      if (size < BatchHeader.OVERHEAD_BYTES || size > limit - start - pos) {
        throw new CorruptSegmentException(logFile, start + pos, "batch size " + size + " out of bounds");
      }
      if (size > want - pos || BatchHeader.lastOffset(buf, pos) >= maxOffsetExclusive) {
        break;
      }
      if (BatchHeader.magic(buf, pos) != RecordBatch.MAGIC_VALUE_V2 || !BatchHeader.crcMatches(buf, pos, scratch)) {
        throw new CorruptSegmentException(logFile, start + pos,
            "CRC or magic check failed for batch at offset " + BatchHeader.baseOffset(buf, pos));
      }
      pos += size;
    }
    return Optional.of(MemoryRecords.readableRecords(buf.limit(pos)));
  }

  /**
   * The batches {@link #read} would return, left in the file: a slice of the segment for a transport
   * that sends it with sendfile, and the records it holds. Only batch headers are read; CRCs are not
   * checked, as Kafka's fetch does not check them: appends and recovery validated every batch, and
   * clients check them again on receipt. A slice shares the segment's open file: a segment deleted
   * or truncated before the slice is sent fails the send (FileRecords checks the size it is given).
   */
  Optional<FetchedSlice> slice(long offset, int maxBytes, long maxOffsetExclusive) throws IOException {
    int limit = records.sizeInBytes();
    int start = positionOf(offset, limit);
    if (start == limit) {
      return Optional.empty();
    }
    ByteBuffer header = ByteBuffer.allocate(BatchHeader.OVERHEAD_BYTES);
    int pos = start;
    long recordCount = 0;
    while (limit - pos >= BatchHeader.OVERHEAD_BYTES) {
      header.clear();
      readFully(header, pos);
      int size = BatchHeader.sizeBytes(header, 0);
      if (size < BatchHeader.OVERHEAD_BYTES || size > limit - pos) {
        throw new CorruptSegmentException(logFile, pos, "batch size " + size + " out of bounds");
      }
      // The first batch goes whole, whatever maxBytes (the caller decides whether it may).
      if (pos > start && pos - start + size > maxBytes || BatchHeader.lastOffset(header, 0) >= maxOffsetExclusive) {
        break;
      }
      if (BatchHeader.magic(header, 0) != RecordBatch.MAGIC_VALUE_V2) {
        throw new CorruptSegmentException(logFile, pos, "magic check failed for batch at offset "
            + BatchHeader.baseOffset(header, 0));
      }
      recordCount += BatchHeader.recordCount(header, 0);
      pos += size;
    }
    return Optional.of(new FetchedSlice(records.slice(start, pos - start), recordCount));
  }

  /** Whole batches left in a segment file, and how many records they hold. */
  record FetchedSlice(FileRecords records, long recordCount) {}

  /**
   * The first record with a timestamp >= {@code timestampMs} at an offset >= {@code minOffset}, or
   * empty; callers ask only a segment whose largest timestamp is >= it.
   */
  Optional<TimestampAndOffset> findOffsetByTimestamp(long timestampMs, long minOffset) throws IOException {
    int sizeBytes = records.sizeInBytes();
    int start = positionOf(Math.max(minOffset, timeIndex.scanStartOffset(timestampMs)), sizeBytes);
    return searchForTimestamp(timestampMs, start, minOffset);
  }

  /** The first record carrying the segment's largest timestamp. */
  Optional<TimestampAndOffset> findOffsetOfMaxTimestamp() throws IOException {
    long max = maxTimestampMs;
    int sizeBytes = records.sizeInBytes();
    if (max < 0 || sizeBytes == 0) {
      return Optional.empty();
    }
    return searchForTimestamp(max, positionOf(timeIndex.scanStartOffset(max), sizeBytes), baseOffset);
  }

  private Optional<TimestampAndOffset> searchForTimestamp(long timestampMs, int startPosition, long minOffset)
      throws IOException {
    try {
      return Optional.ofNullable(records.searchForTimestamp(timestampMs, startPosition, minOffset));
    } catch (CorruptRecordException e) {
      throw new CorruptSegmentException(logFile, startPosition, "unreadable batch after this position: "
          + e.getMessage());
    } catch (KafkaException e) {
      throw unwrapIo(e);
    }
  }

  /**
   * Drops every batch holding an offset >= {@code offset} (a batch is never split, so the segment
   * may end below {@code offset}) and rebuilds what is derived from them. Returns the bytes removed.
   */
  int truncateTo(long offset, int indexIntervalBytes) throws IOException {
    int sizeBytes = records.sizeInBytes();
    int position = positionOf(offset, sizeBytes);
    if (position == sizeBytes) {
      return 0;
    }
    int removed = records.truncateTo(position);
    // Re-derive indexes, next offset and largest timestamp from what remains (validated when it was
    // written or loaded, so gaps are a compacted log's); truncation is rare.
    recover(indexIntervalBytes, true);
    return removed;
  }

  /**
   * Fsyncs the log, then writes and fsyncs both indexes (with a closing time-index entry). A
   * segment with nothing written since it was loaded or last flushed is skipped: its files are
   * already durable, and a clean stop of an idle log then costs no fsync of its segments.
   */
  void flush() throws IOException {
    addClosingTimeIndexEntry();
    if (!hasUnflushedWrites()) {
      return;
    }
    records.flush();
    logFileFlushed = true;
    offsetIndex.flush();
    timeIndex.flush();
  }

  /** Whether anything was written to the log file or an index since the segment was loaded or last flushed. */
  boolean hasUnflushedWrites() {
    return !logFileFlushed || offsetIndex.needsFlush() || timeIndex.needsFlush();
  }

  /** Maps the indexes of a finished, flushed segment instead of holding them on the heap. */
  void seal() throws IOException {
    addClosingTimeIndexEntry();
    offsetIndex.seal();
    timeIndex.seal();
  }

  private void addClosingTimeIndexEntry() {
    if (maxTimestampMs >= 0 && nextOffset > baseOffset) {
      timeIndex.maybeAppend(maxTimestampMs, nextOffset);
    }
  }

  /**
   * Renames the segment's files to their plain names followed by {@code fileSuffix} ("" for the
   * plain names): the indexes first, the log file last, so a log file's name says how far a swap
   * got. Open channels and mapped indexes keep working. The caller fsyncs the directory.
   */
  void changeFileSuffix(String fileSuffix) throws IOException {
    offsetIndex.renameTo(dir.resolve(fileName(baseOffset, INDEX_SUFFIX) + fileSuffix));
    timeIndex.renameTo(dir.resolve(fileName(baseOffset, TIME_INDEX_SUFFIX) + fileSuffix));
    Path target = dir.resolve(fileName(baseOffset, LOG_SUFFIX) + fileSuffix);
    records.renameTo(target.toFile());
    logFile = target;
  }

  /** Closes the file without flushing: the log flushes what must be durable before. */
  void close() throws IOException {
    records.closeHandlers();
    offsetIndex.release();
    timeIndex.release();
  }

  void closeAndDelete() throws IOException {
    records.deleteIfExists();
    offsetIndex.release();
    offsetIndex.deleteFile();
    timeIndex.release();
    timeIndex.deleteFile();
  }

  /**
   * FileRecords' iterators wrap I/O errors in KafkaException; callers of the log expect the
   * IOException. Any other KafkaException is rethrown as it is.
   */
  static IOException unwrapIo(KafkaException e) {
    if (e.getCause() instanceof IOException io) {
      return io;
    }
    throw e;
  }

  static boolean isLogFile(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(LOG_SUFFIX) && name.length() == 20 + LOG_SUFFIX.length()
        && name.substring(0, 20).chars().allMatch(Character::isDigit);
  }

  /** Whether {@code file} is the log file of a complete cleaned segment waiting to be swapped in. */
  static boolean isSwapLogFile(Path file) {
    String name = file.getFileName().toString();
    String suffix = LOG_SUFFIX + SWAP_SUFFIX;
    return name.endsWith(suffix) && name.length() == 20 + suffix.length()
        && name.substring(0, 20).chars().allMatch(Character::isDigit);
  }

  static long baseOffsetOf(Path logFile) {
    return Long.parseLong(logFile.getFileName().toString().substring(0, 20));
  }

  @Override
  public String toString() {
    return "LogSegment(" + logFile + ", size " + records.sizeInBytes() + ")";
  }
}
