package io.vltava.log;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.internal.FileRecords.TimestampAndOffset;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * One {@code <baseOffset>.log} file of whole v2 record batches with its offset and time indexes.
 * Invariant: the base offset is <= every offset in the segment and > every offset of earlier
 * segments; batches are contiguous from position 0 to {@link #sizeBytes()}.
 *
 * <p>Thread-safety: one writer (the log's), many readers. A reader sees bytes only below the
 * volatile {@code sizeBytes}, which the writer advances after a batch is fully written.
 */
final class LogSegment {
  static final String LOG_SUFFIX = ".log";
  static final String INDEX_SUFFIX = ".index";
  static final String TIME_INDEX_SUFFIX = ".timeindex";

  private final long baseOffset;
  private final Path logFile;
  private final FileChannel channel;
  private final OffsetIndex offsetIndex;
  private final TimeIndex timeIndex;
  private volatile int sizeBytes;
  private long nextOffset;
  private volatile long maxTimestampMs = RecordBatch.NO_TIMESTAMP;
  private long firstBatchMaxTimestampMs = RecordBatch.NO_TIMESTAMP;
  private final long createdMs;
  private long lastAppendMs;
  private int bytesSinceLastIndexEntry;

  private LogSegment(Path dir, long baseOffset, int maxIndexBytes, long nowMs, boolean create) throws IOException {
    this.baseOffset = baseOffset;
    this.logFile = dir.resolve(fileName(baseOffset, LOG_SUFFIX));
    this.channel = create
        ? FileChannel.open(logFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)
        : FileChannel.open(logFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
    this.offsetIndex = new OffsetIndex(dir.resolve(fileName(baseOffset, INDEX_SUFFIX)), baseOffset, maxIndexBytes);
    this.timeIndex = new TimeIndex(dir.resolve(fileName(baseOffset, TIME_INDEX_SUFFIX)), baseOffset, maxIndexBytes);
    this.sizeBytes = (int) Math.min(channel.size(), Integer.MAX_VALUE);
    this.nextOffset = baseOffset;
    this.createdMs = create ? nowMs : Files.getLastModifiedTime(logFile).toMillis();
    this.lastAppendMs = createdMs;
    if (create) {
      offsetIndex.deleteFile();
      timeIndex.deleteFile();
    }
  }

  static LogSegment create(Path dir, long baseOffset, int maxIndexBytes, long nowMs) throws IOException {
    return new LogSegment(dir, baseOffset, maxIndexBytes, nowMs, true);
  }

  /** Opens an existing segment; the caller then calls {@link #loadTrusted} or {@link #recover}. */
  static LogSegment open(Path dir, long baseOffset, int maxIndexBytes, long nowMs) throws IOException {
    return new LogSegment(dir, baseOffset, maxIndexBytes, nowMs, false);
  }

  static String fileName(long baseOffset, String suffix) {
    return String.format("%020d%s", baseOffset, suffix);
  }

  long baseOffset() {
    return baseOffset;
  }

  int sizeBytes() {
    return sizeBytes;
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
   * Appends already validated batches with assigned offsets ({@code batches} from position to limit),
   * then indexes them and publishes the new size.
   */
  void append(ByteBuffer batches, int indexIntervalBytes, long nowMs) throws IOException {
    int start = batches.position();
    int end = batches.limit();
    int filePosition = sizeBytes;
    ByteBuffer toWrite = batches.duplicate();
    long writePosition = filePosition;
    try {
      while (toWrite.hasRemaining()) {
        writePosition += channel.write(toWrite, writePosition);
      }
    } catch (IOException e) {
      // Leave no partial batch behind the published size for a later append or open to trip on.
      try {
        channel.truncate(filePosition);
      } catch (IOException truncateFailure) {
        e.addSuppressed(truncateFailure);
      }
      throw e;
    }
    for (int pos = start; pos < end; pos += BatchHeader.sizeBytes(batches, pos)) {
      onBatchWritten(batches, pos, filePosition + (pos - start), indexIntervalBytes);
    }
    lastAppendMs = nowMs;
    sizeBytes = filePosition + (end - start);
  }

  /** Updates indexes and in-memory metadata for the batch at {@code buf[pos]}, stored at {@code filePosition}. */
  private void onBatchWritten(ByteBuffer buf, int pos, int filePosition, int indexIntervalBytes) {
    long batchBaseOffset = BatchHeader.baseOffset(buf, pos);
    long batchMaxTimestampMs = BatchHeader.maxTimestampMs(buf, pos);
    if (bytesSinceLastIndexEntry >= indexIntervalBytes) {
      offsetIndex.append(batchBaseOffset, filePosition);
      if (maxTimestampMs >= 0) {
        timeIndex.maybeAppend(maxTimestampMs, batchBaseOffset);
      }
      bytesSinceLastIndexEntry = 0;
    }
    bytesSinceLastIndexEntry += BatchHeader.sizeBytes(buf, pos);
    if (nextOffset == baseOffset && filePosition == 0) {
      firstBatchMaxTimestampMs = batchMaxTimestampMs;
    }
    if (batchMaxTimestampMs > maxTimestampMs) {
      maxTimestampMs = batchMaxTimestampMs;
    }
    nextOffset = BatchHeader.lastOffset(buf, pos) + 1;
  }

  /**
   * Opens a segment that was flushed before shutdown: loads its indexes if they pass sanity
   * checks, else rebuilds them (which re-validates the batches, see {@link #recover}).
   * Returns the position of the first invalid batch, or -1 if the segment is intact.
   */
  int loadTrusted(int indexIntervalBytes, CRC32C scratch, boolean offsetGapsAllowed) throws IOException {
    int size = sizeBytes;
    if (!offsetIndex.load(size) || !timeIndex.load(size) || !lastIndexEntryMatches()) {
      return recover(indexIntervalBytes, scratch, offsetGapsAllowed);
    }
    // The tail after the last index entry is scanned for the next offset and largest timestamp.
    OffsetIndex.IndexEntry last = offsetIndex.lookup(Long.MAX_VALUE);
    maxTimestampMs = timeIndex.lastTimestampMs();
    ByteBuffer header = ByteBuffer.allocate(BatchHeader.OVERHEAD_BYTES);
    int pos = last.position();
    while (pos < size) {
      if (!readHeader(header, pos, size) || BatchHeader.framingError(header, 0, size - pos) != null) {
        return recover(indexIntervalBytes, scratch, offsetGapsAllowed);
      }
      maxTimestampMs = Math.max(maxTimestampMs, BatchHeader.maxTimestampMs(header, 0));
      nextOffset = BatchHeader.lastOffset(header, 0) + 1;
      bytesSinceLastIndexEntry += BatchHeader.sizeBytes(header, 0);
      pos += BatchHeader.sizeBytes(header, 0);
    }
    if (size > 0 && readHeader(header, 0, size)) {
      firstBatchMaxTimestampMs = BatchHeader.maxTimestampMs(header, 0);
    }
    timeIndex.truncateTo(nextOffset);
    return -1;
  }

  private boolean lastIndexEntryMatches() throws IOException {
    if (offsetIndex.entries() == 0) {
      return true;
    }
    OffsetIndex.IndexEntry last = offsetIndex.lookup(Long.MAX_VALUE);
    ByteBuffer header = ByteBuffer.allocate(BatchHeader.OVERHEAD_BYTES);
    return readHeader(header, last.position(), sizeBytes)
        && BatchHeader.framingError(header, 0, sizeBytes - last.position()) == null
        && BatchHeader.baseOffset(header, 0) == last.offset();
  }

  /**
   * Re-validates every batch (framing, magic, CRC, offsets contiguous from the base offset — the
   * base offset field is outside the CRC, and the leader assigns offsets without gaps — or, in a
   * compacted log, which has gaps, only increasing, as Kafka checks) and
   * rebuilds both indexes. Returns the position of the first invalid batch — the caller truncates
   * there — or -1 if every byte belongs to a valid batch.
   */
  int recover(int indexIntervalBytes, CRC32C scratch, boolean offsetGapsAllowed) throws IOException {
    offsetIndex.clear();
    timeIndex.clear();
    nextOffset = baseOffset;
    maxTimestampMs = RecordBatch.NO_TIMESTAMP;
    firstBatchMaxTimestampMs = RecordBatch.NO_TIMESTAMP;
    bytesSinceLastIndexEntry = 0;
    int size = sizeBytes;
    ByteBuffer header = ByteBuffer.allocate(BatchHeader.OVERHEAD_BYTES);
    int pos = 0;
    while (pos < size) {
      if (!readHeader(header, pos, size) || BatchHeader.framingError(header, 0, size - pos) != null) {
        return pos;
      }
      int batchSize = BatchHeader.sizeBytes(header, 0);
      ByteBuffer batch = ByteBuffer.allocate(batchSize);
      readFully(batch, pos);
      batch.flip();
      if (!BatchHeader.crcMatches(batch, 0, scratch) || (offsetGapsAllowed ? BatchHeader.baseOffset(batch, 0) < nextOffset : BatchHeader.baseOffset(batch, 0) != nextOffset)
          || BatchHeader.lastOffset(batch, 0) + 1 - baseOffset > Integer.MAX_VALUE) {
        return pos;
      }
      onBatchWritten(batch, 0, pos, indexIntervalBytes);
      pos += batchSize;
    }
    return -1;
  }

  /** Receives each batch header (61 bytes at position 0 of {@code header}) of a scan. */
  interface HeaderVisitor {
    void visit(ByteBuffer header) throws IOException;
  }

  /** Visits the headers of all batches, in order; the segment was validated when opened. */
  void scanHeaders(HeaderVisitor visitor) throws IOException {
    int limit = sizeBytes;
    ByteBuffer header = ByteBuffer.allocate(BatchHeader.OVERHEAD_BYTES);
    for (int pos = 0; pos < limit; pos += BatchHeader.sizeBytes(header, 0)) {
      if (!readHeader(header, pos, limit) || BatchHeader.framingError(header, 0, limit - pos) != null) {
        throw corrupt(pos, "unreadable batch header");
      }
      visitor.visit(header);
    }
  }

  /** Reads a batch header at {@code position}; false if fewer than a header's bytes remain. */
  private boolean readHeader(ByteBuffer header, int position, int limit) throws IOException {
    header.clear();
    if (limit - position < BatchHeader.OVERHEAD_BYTES) {
      return false;
    }
    readFully(header, position);
    header.flip();
    return true;
  }

  private void readFully(ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int n = channel.read(buf, pos);
      if (n < 0) {
        throw new EOFException("end of " + logFile + " at position " + pos);
      }
      pos += n;
    }
  }

  /**
   * The position of the first batch whose last offset is >= {@code offset}, or -1 if there is none
   * below {@code limitBytes}. Starts from the index and falls back to a scan from position 0 if the
   * index points at something other than the batch it names.
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
        throw corrupt(pos, "unreadable batch header");
      }
      if (BatchHeader.lastOffset(header, 0) >= offset) {
        return pos;
      }
      pos += BatchHeader.sizeBytes(header, 0);
    }
    return -1;
  }

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

  /**
   * Whole batches from the one holding {@code offset}: at least one, then more while the total
   * stays within {@code maxBytes}; only batches whose last offset is below {@code maxOffsetExclusive}.
   * Every returned batch passed its CRC check. Null if no batch of this segment holds an offset
   * >= {@code offset}.
   */
  ByteBuffer read(long offset, int maxBytes, long maxOffsetExclusive, CRC32C scratch) throws IOException {
    int limit = sizeBytes;
    int start = positionOf(offset, limit);
    if (start < 0) {
      return null;
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
        throw corrupt(start + pos, "batch size " + size + " out of bounds");
      }
      if (size > want - pos || BatchHeader.lastOffset(buf, pos) >= maxOffsetExclusive) {
        break;
      }
      if (BatchHeader.magic(buf, pos) != RecordBatch.MAGIC_VALUE_V2 || !BatchHeader.crcMatches(buf, pos, scratch)) {
        throw corrupt(start + pos, "CRC or magic check failed for batch at offset " + BatchHeader.baseOffset(buf, pos));
      }
      pos += size;
    }
    return buf.limit(pos);
  }

  private CorruptRecordException corrupt(int position, String reason) {
    return new CorruptRecordException(logFile + " position " + position + ": " + reason);
  }

  /**
   * The first record with a timestamp >= {@code timestampMs}, or empty; callers ask only a segment
   * whose largest timestamp is >= it.
   */
  Optional<TimestampAndOffset> findOffsetByTimestamp(long timestampMs, long minOffset) throws IOException {
    int limit = sizeBytes;
    int start = positionOf(Math.max(minOffset, timeIndex.scanStartOffset(timestampMs)), limit);
    return start < 0 ? Optional.empty() : firstRecordAtOrAfter(timestampMs, minOffset, start, limit);
  }

  /** The first record carrying the segment's largest timestamp. */
  Optional<TimestampAndOffset> findOffsetOfMaxTimestamp() throws IOException {
    long max = maxTimestampMs;
    int limit = sizeBytes;
    if (max < 0 || limit == 0) {
      return Optional.empty();
    }
    return firstRecordAtOrAfter(max, baseOffset, positionOf(timeIndex.scanStartOffset(max), limit), limit);
  }

  private Optional<TimestampAndOffset> firstRecordAtOrAfter(long timestampMs, long minOffset, int startPosition,
      int limit) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(BatchHeader.OVERHEAD_BYTES);
    for (int pos = startPosition; pos >= 0 && pos < limit; pos += BatchHeader.sizeBytes(header, 0)) {
      if (!readHeader(header, pos, limit)) {
        throw corrupt(pos, "unreadable batch header");
      }
      if (BatchHeader.maxTimestampMs(header, 0) < timestampMs) {
        continue;
      }
      ByteBuffer batchBytes = ByteBuffer.allocate(BatchHeader.sizeBytes(header, 0));
      readFully(batchBytes, pos);
      batchBytes.flip();
      for (MutableRecordBatch batch : MemoryRecords.readableRecords(batchBytes).batches()) {
        for (Record record : batch) {
          if (record.timestamp() >= timestampMs && record.offset() >= minOffset) {
            int epoch = batch.partitionLeaderEpoch();
            return Optional.of(new TimestampAndOffset(record.timestamp(), record.offset(),
                epoch == RecordBatch.NO_PARTITION_LEADER_EPOCH ? Optional.empty() : Optional.of(epoch)));
          }
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Drops every batch holding an offset >= {@code offset} (a batch is never split, so the segment
   * may end below {@code offset}). Returns the bytes removed.
   */
  int truncateTo(long offset, int indexIntervalBytes, CRC32C scratch) throws IOException {
    int position = positionOf(offset, sizeBytes);
    if (position < 0) {
      return 0;
    }
    return truncateToPosition(position, indexIntervalBytes, scratch);
  }

  /** Cuts the file at a batch boundary and rebuilds what is derived from the removed batches. */
  int truncateToPosition(int position, int indexIntervalBytes, CRC32C scratch) throws IOException {
    int removed = sizeBytes - position;
    sizeBytes = position;
    channel.truncate(position);
    // Re-derive indexes, next offset and largest timestamp from what remains (validated when it was
    // written or loaded, so gaps are a compacted log's); truncation is rare.
    offsetIndex.clear();
    timeIndex.clear();
    recover(indexIntervalBytes, scratch, true);
    return removed;
  }

  /** Fsyncs the log, then writes and fsyncs both indexes (with a closing time-index entry). */
  void flush() throws IOException {
    channel.force(true);
    addClosingTimeIndexEntry();
    offsetIndex.flush();
    timeIndex.flush();
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

  void close() throws IOException {
    channel.close();
  }

  void closeAndDelete() throws IOException {
    channel.close();
    Files.deleteIfExists(logFile);
    offsetIndex.deleteFile();
    timeIndex.deleteFile();
  }

  static boolean isLogFile(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(LOG_SUFFIX) && name.length() == 20 + LOG_SUFFIX.length()
        && name.substring(0, 20).chars().allMatch(Character::isDigit);
  }

  static long baseOffsetOf(Path logFile) {
    return Long.parseLong(logFile.getFileName().toString().substring(0, 20));
  }

  @Override
  public String toString() {
    return "LogSegment(" + logFile + ", size " + sizeBytes + ")";
  }
}
