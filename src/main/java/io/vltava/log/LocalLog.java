package io.vltava.log;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * The segments of one log and what is done to them as a whole (Kafka's LocalLog): the append tail
 * shared by the leader and follower paths (roll, write, publish the log end offset, flush policy),
 * reads, truncation, removal of whole segments from the start, flushing and the recovery point.
 * Invariants: logStartOffset <= logEndOffset; segments are contiguous up to the log end offset;
 * every offset below the recovery point is fsynced, with its segment's indexes.
 *
 * <p>Thread-safety: one writer (callers serialise every method but {@link #read},
 * {@link #logStartOffset}, {@link #logEndOffset}, {@link #segments}); many concurrent readers. The
 * writer publishes a batch by advancing the segment's size and then the volatile log end offset;
 * a reader reads the log end offset first and never returns a batch at or above it.
 */
final class LocalLog {
  /** A read that meets segments swapped out under it this many times in a row gives up. */
  private static final int MAX_READ_ATTEMPTS = 3;

  private final Path dir;
  private final Clock clock;
  private final LogCheckpoints checkpoints;
  private final LogSegments segments;
  private volatile LogConfig config;
  private volatile long logStartOffset;
  private volatile long logEndOffset;
  /** Every offset below it is fsynced; an unclean open re-validates from the segment holding it. */
  private long recoveryPoint;
  private long unflushedMessages;
  private long lastFlushMs;
  /** Segments out of the log whose files are deleted at {@link RemovedSegment#deleteAtMs}. */
  private final List<RemovedSegment> removed = new ArrayList<>();

  private record RemovedSegment(LogSegment segment, long deleteAtMs) {}

  /** Over loaded segments (not empty), all valid up to the active one's end, which becomes the recovery point. */
  LocalLog(Path dir, LogConfig config, Clock clock, LogCheckpoints checkpoints, LogSegments segments,
      long logStartOffset) {
    this.dir = dir;
    this.config = config;
    this.clock = clock;
    this.checkpoints = checkpoints;
    this.segments = segments;
    this.logStartOffset = logStartOffset;
    this.logEndOffset = segments.active().nextOffset();
    this.recoveryPoint = logEndOffset;
    this.lastFlushMs = clock.millis();
  }

  Path dir() {
    return dir;
  }

  LogConfig config() {
    return config;
  }

  void updateConfig(LogConfig config) {
    this.config = config;
    segments.active().setMaxIndexBytes(config.segmentIndexBytes());
  }

  long logStartOffset() {
    return logStartOffset;
  }

  long logEndOffset() {
    return logEndOffset;
  }

  LogSegments segments() {
    return segments;
  }

  /**
   * The append tail: writes validated batches holding offsets [logEndOffset, {@code nextOffset})
   * (their buffer at position 0, see {@link LogSegment#append}) to the active segment, rolling first if they would not fit it, then publishes the new log end
   * offset. Nothing is fsynced here; see {@link #maybeFlush}.
   */
  void append(MemoryRecords batches, long nextOffset, long nowMs) throws IOException {
    LogConfig cfg = config;
    LogSegment active = segments.active();
    if (shouldRoll(active, batches.sizeInBytes(), nextOffset - 1, nowMs, cfg)) {
      active = roll(nowMs);
    }
    active.append(batches, cfg.indexIntervalBytes(), nowMs);
    logEndOffset = nextOffset;
  }

  /** Counts {@code messages} appended and fsyncs the log once flush.messages or flush.ms is reached. */
  void maybeFlush(long messages, long nowMs) throws IOException {
    LogConfig cfg = config;
    unflushedMessages += messages;
    if (unflushedMessages >= cfg.flushMessages() || nowMs - lastFlushMs >= cfg.flushMs()) {
      flush();
    }
  }

  private static boolean shouldRoll(LogSegment active, int appendBytes, long lastOffset, long nowMs, LogConfig cfg) {
    return active.sizeBytes() > 0
        && ((long) active.sizeBytes() + appendBytes > cfg.segmentBytes()
            || nowMs - active.rollingBaseMs() > cfg.rollAfterMs()
            || active.indexesFull()
            || lastOffset + 1 - active.baseOffset() > Integer.MAX_VALUE);
  }

  /**
   * Starts a new segment at the log end offset. The finished one is fsynced by the next
   * {@link #flushRolledSegments} or {@link #flush}, not here: an fsync of a whole segment would
   * stall the append that happened to roll (Kafka flushes it in the background for the same reason).
   */
  LogSegment roll(long nowMs) throws IOException {
    LogSegment next = LogSegment.create(dir, logEndOffset, config.segmentIndexBytes(), nowMs);
    segments.add(next);
    return next;
  }

  /** Rolls the active segment if it is older than segment.ms. */
  void rollIfOld(long nowMs) throws IOException {
    LogSegment active = segments.active();
    if (active.sizeBytes() > 0 && nowMs - active.rollingBaseMs() > config.rollAfterMs()) {
      roll(nowMs);
    }
  }

  /**
   * Whole batches from the one containing {@code fetchOffset}, up to {@code maxBytes} (at least one
   * batch), never including offsets at or above {@code maxOffsetExclusive}; see PartitionLog#read.
   * In memory ({@link LogSegment#read}, CRCs checked) or as a slice of the segment file
   * ({@link LogSegment#slice}).
   */
  FetchedRecords read(long fetchOffset, int maxBytes, long maxOffsetExclusive, boolean asFileSlice) throws IOException {
    long endOffset = logEndOffset;
    long startOffset = logStartOffset;
    if (fetchOffset < startOffset || fetchOffset > endOffset) {
      throw new OffsetOutOfRangeException("fetch offset " + fetchOffset + " is outside [" + startOffset + ", "
          + endOffset + "] of " + dir);
    }
    long bound = Math.min(maxOffsetExclusive, endOffset);
    if (fetchOffset >= bound) {
      return new FetchedRecords(MemoryRecords.EMPTY, 0, startOffset, endOffset);
    }
    CRC32C crc = new CRC32C();
    for (int attempt = 1; ; attempt++) {
      try {
        for (LogSegment segment : segments.from(fetchOffset)) {
          Optional<FetchedRecords> batches = asFileSlice
              ? segment.slice(fetchOffset, maxBytes, bound)
                  .map(slice -> new FetchedRecords(slice.records(), slice.recordCount(), startOffset, endOffset))
              : segment.read(fetchOffset, maxBytes, bound, crc)
                  .map(memory -> new FetchedRecords(memory, RecordCount.of(memory), startOffset, endOffset));
          if (batches.isPresent()) {
            return batches.get();
          }
        }
        return new FetchedRecords(MemoryRecords.EMPTY, 0, startOffset, endOffset);
      } catch (ClosedChannelException e) {
        // The segment was deleted under us by retention, DeleteRecords or truncation...
        if (fetchOffset < logStartOffset || fetchOffset > logEndOffset) {
          throw new OffsetOutOfRangeException("fetch offset " + fetchOffset + " was removed from " + dir
              + " while reading");
        }
        // ...or replaced by a cleaned one, which the map already holds: look again.
        if (attempt == MAX_READ_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  /**
   * Removes every batch holding an offset >= {@code offset}, which is at or above the log start
   * offset. Batches are never split, so the log end offset becomes the base of the batch holding
   * {@code offset}.
   */
  void truncateTo(long offset) throws IOException {
    // Readers stop at the new bound before the bytes go.
    logEndOffset = offset;
    while (segments.count() > 1 && segments.active().baseOffset() >= offset) {
      LogSegment last = segments.active();
      segments.remove(last);
      deleteLater(last);
    }
    LogSegment last = segments.active();
    last.truncateTo(offset, config.indexIntervalBytes());
    last.flush(); // persists the rebuilt indexes; truncation is rare
    logEndOffset = last.nextOffset();
    if (logStartOffset > logEndOffset) {
      logStartOffset = logEndOffset;
      checkpoints.writeLogStartOffset(logStartOffset);
    }
    if (recoveryPoint > logEndOffset) {
      moveRecoveryPoint(logEndOffset);
    }
  }

  /** Deletes every segment and starts an empty one at {@code offset}, which becomes the log start. */
  void truncateFullyAndStartAt(long offset) throws IOException {
    logEndOffset = Math.min(logEndOffset, offset);
    for (LogSegment segment : new ArrayList<>(segments.all())) {
      segments.remove(segment);
      deleteLater(segment);
    }
    segments.add(LogSegment.create(dir, offset, config.segmentIndexBytes(), clock.millis()));
    logStartOffset = offset;
    logEndOffset = offset;
    checkpoints.writeLogStartOffset(offset);
    moveRecoveryPoint(offset);
  }

  /**
   * Moves the log start offset up to {@code offset}, persists it, then deletes the segments wholly
   * below it (rolling first if that includes the active one, so a segment always remains).
   */
  void advanceLogStartOffset(long offset) throws IOException {
    logStartOffset = offset;
    checkpoints.writeLogStartOffset(offset);
    if (offset == logEndOffset && segments.active().sizeBytes() > 0) {
      roll(clock.millis());
    }
    List<LogSegment> oldestFirst = new ArrayList<>(segments.all());
    for (int i = 0; i + 1 < oldestFirst.size() && oldestFirst.get(i + 1).baseOffset() <= offset; i++) {
      segments.remove(oldestFirst.get(i));
      deleteLater(oldestFirst.get(i));
    }
  }

  /**
   * Fsyncs what flush.ms asks for: everything once it has passed with messages unflushed, else
   * the segments rolled since the last flush (and moves the recovery point to the active segment).
   */
  void flushForMaintenance(long nowMs) throws IOException {
    long activeBaseOffset = segments.active().baseOffset();
    if (unflushedMessages > 0 && nowMs - lastFlushMs >= config.flushMs()) {
      flush();
    } else if (recoveryPoint < activeBaseOffset) {
      flushSegmentsBelow(activeBaseOffset);
      moveRecoveryPoint(activeBaseOffset);
    }
  }

  /** Fsyncs every segment not yet flushed, with its indexes, and moves the recovery point to the end. */
  void flush() throws IOException {
    LogSegment active = segments.active();
    flushSegmentsBelow(active.baseOffset());
    active.flush();
    unflushedMessages = 0;
    lastFlushMs = clock.millis();
    moveRecoveryPoint(logEndOffset);
  }

  /** Fsyncs and seals the segments from the one holding the recovery point up to {@code baseOffset} (excluded). */
  private void flushSegmentsBelow(long baseOffset) throws IOException {
    for (LogSegment segment : segments.from(recoveryPoint)) {
      if (segment.baseOffset() >= baseOffset) {
        break;
      }
      segment.flush();
      segment.seal();
    }
  }

  private void moveRecoveryPoint(long offset) throws IOException {
    if (recoveryPoint != offset) {
      recoveryPoint = offset;
      checkpoints.writeRecoveryPoint(offset);
    }
  }

  /** Persists the recovery point as it is (after a recovery on open). */
  void checkpointRecoveryPoint() throws IOException {
    checkpoints.writeRecoveryPoint(recoveryPoint);
  }

  /** The segments the log cleaner may rewrite: all but the active one, oldest first. */
  List<SegmentInfo> inactiveSegments() {
    List<SegmentInfo> all = segments.infos(logEndOffset);
    return all.subList(0, all.size() - 1);
  }

  /** The segment starting at {@code baseOffset}, if it is still in the log. */
  Optional<LogSegment> segment(long baseOffset) {
    return segments.get(baseOffset);
  }

  /** The steps of {@link #replaceSegments}, after each of which a crash leaves a log the next open makes whole. */
  enum SwapStep { CLEANED_FLUSHED, SWAP_RENAMED, OLD_SEGMENT_MARKED_DELETED, SWAP_COMPLETED }

  /**
   * Replaces consecutive inactive segments starting at {@code oldBaseOffsets.get(0)} with
   * {@code cleaned}, a segment made by {@link LogSegment#createCleaned} at that base offset holding
   * what is kept of their batches, crash-safely as Kafka's LocalLog.replaceSegments: the cleaned
   * files are fsynced and renamed to ".swap" (from here the swap is decided: an open completes it),
   * the cleaned segment enters the map in place of the old ones, whose files are renamed to
   * ".deleted" (and deleted file.delete.delay.ms later), and the swap files get their plain names.
   * Readers never miss an offset: the cleaned segment is in the map before an old one is closed.
   * Writer only.
   */
  void replaceSegments(LogSegment cleaned, List<Long> oldBaseOffsets) throws IOException {
    replaceSegments(cleaned, oldBaseOffsets, step -> { });
  }

  /** {@link #replaceSegments}, telling {@code afterStep} each step done, so tests can crash between them. */
  void replaceSegments(LogSegment cleaned, List<Long> oldBaseOffsets, Consumer<SwapStep> afterStep)
      throws IOException {
    if (oldBaseOffsets.isEmpty() || cleaned.baseOffset() != oldBaseOffsets.get(0)) {
      throw new IllegalArgumentException("cleaned segment at " + cleaned.baseOffset() + " does not start the segments "
          + oldBaseOffsets + " of " + dir);
    }
    List<LogSegment> old = new ArrayList<>();
    Iterator<LogSegment> run = segments.from(cleaned.baseOffset()).iterator();
    for (long baseOffset : oldBaseOffsets) {
      LogSegment segment = run.hasNext() ? run.next() : null;
      if (segment == null || segment.baseOffset() != baseOffset || segment == segments.active()) {
        throw new IllegalArgumentException("segments " + oldBaseOffsets + " are not consecutive inactive segments of "
            + dir);
      }
      old.add(segment);
    }
    cleaned.flush();
    afterStep.accept(SwapStep.CLEANED_FLUSHED);
    cleaned.changeFileSuffix(LogSegment.SWAP_SUFFIX);
    CheckpointFile.fsyncDirectory(dir);
    afterStep.accept(SwapStep.SWAP_RENAMED);
    cleaned.seal();
    segments.add(cleaned);
    for (LogSegment segment : old) {
      segments.remove(segment);
      deleteLater(segment);
      afterStep.accept(SwapStep.OLD_SEGMENT_MARKED_DELETED);
    }
    cleaned.changeFileSuffix("");
    CheckpointFile.fsyncDirectory(dir);
    afterStep.accept(SwapStep.SWAP_COMPLETED);
  }

  /**
   * Takes a segment already out of the map out of the directory's live names: its files are renamed
   * to ".deleted" at once (an open after a crash deletes them) and deleted file.delete.delay.ms
   * later, as Kafka's asynchronous segment deletion, so a read or a zero-copy send that already
   * holds the segment's channel completes instead of failing mid-response.
   */
  private void deleteLater(LogSegment segment) throws IOException {
    segment.changeFileSuffix(LogSegment.DELETED_SUFFIX);
    removed.add(new RemovedSegment(segment, clock.millis() + config.fileDeleteDelayMs()));
    deleteRemovedSegments(clock.millis());
  }

  /** Deletes the files of removed segments whose delay is over. Writer only. */
  void deleteRemovedSegments(long nowMs) throws IOException {
    for (Iterator<RemovedSegment> due = removed.iterator(); due.hasNext(); ) {
      RemovedSegment segment = due.next();
      if (segment.deleteAtMs() <= nowMs) {
        due.remove();
        segment.segment().closeAndDelete();
      }
    }
  }

  /** Closes every segment's files without flushing; removed segments' files are deleted now. */
  void closeSegments() throws IOException {
    for (LogSegment segment : segments.all()) {
      segment.close();
    }
    deleteRemovedSegments(Long.MAX_VALUE);
  }

  @Override
  public String toString() {
    return dir + ", offsets [" + logStartOffset + ", " + logEndOffset + "), " + segments.count() + " segments";
  }
}
