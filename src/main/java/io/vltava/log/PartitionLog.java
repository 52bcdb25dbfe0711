package io.vltava.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The append-only log of one partition replica: a directory of segments, and the one entry point
 * the {@code replica} package uses. It composes the parts Kafka's storage module also keeps apart:
 * {@link LocalLog} (segments, the append tail, reads, truncation, flushing), {@link LogValidator},
 * {@link LeaderEpochCache}, {@link ProducerStateManager} and {@link LogCheckpoints}.
 * Invariants: segments are ordered by base offset and contiguous; logStartOffset <= logEndOffset;
 * every byte below a segment's published size is a whole batch that passed validation; the epoch
 * cache and producer state describe exactly the batches between the log start and end offsets.
 *
 * <p>Thread-safety: one writer at a time (the partition's actor; callers serialise every method
 * but the read-only ones) and the log cleaner, which swaps segments under the log's lock that
 * every writing method holds; many concurrent readers of {@link #read}, {@link #logStartOffset},
 * {@link #logEndOffset}, {@link #sizeBytes}, {@link #offsetForTimestamp}, {@link #offsetOfMaxTimestamp}.
 * Do not interrupt a thread inside these methods: NIO closes a FileChannel whose reader is
 * interrupted, for every user of the segment.
 */
public final class PartitionLog implements AutoCloseable {
  private final Path dir;
  private final Clock clock;
  private final LogCheckpoints checkpoints;
  private final LogValidator validator;
  private final LeaderEpochCache epochCache;
  private final ProducerStateManager producerState;
  private final LocalLog local;
  /** Volatile: the node's replica scheduler reads it to find the logs whose checkpoint is stale. */
  private volatile long checkpointedHighWatermark;
  /** Serializes high-watermark checkpoints, which the node's checkpoint round writes besides the partition's writer. */
  private final Object checkpointLock = new Object();
  /** Set under {@link #checkpointLock} when the log closes: no checkpoint is written after that. */
  private boolean checkpointsClosed;
  private boolean closed;
  /**
   * Held by every method that changes the log and by the log cleaner's segment swap, so a swap
   * never interleaves with an append, truncation or retention. Readers never take it. The
   * partition's writer is the only other taker, so it is uncontended but during a swap.
   */
  private final ReentrantLock lock = new ReentrantLock();
  private long cleanedUpToOffset;

  private PartitionLog(Path dir, Clock clock, LogCheckpoints checkpoints, LogLoader.LoadedLog loaded)
      throws IOException {
    this.dir = dir;
    this.clock = clock;
    this.checkpoints = checkpoints;
    this.validator = new LogValidator(dir);
    this.local = loaded.local();
    this.epochCache = loaded.epochCache();
    this.producerState = loaded.producerState();
    this.checkpointedHighWatermark = checkpoints.highWatermark().orElse(0L);
    this.cleanedUpToOffset = checkpoints.cleanerOffset().orElse(-1L);
  }

  /** Opens (and, after an unclean shutdown, recovers) the log in {@code dir}, creating it if absent. */
  /** Whether {@code dir} holds segment files of a partition log; false if it cannot be read. */
  public static boolean holdsSegments(Path dir) {
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      return files.anyMatch(LogSegment::isLogFile);
    } catch (IOException unreadable) {
      return false;
    }
  }

  public static PartitionLog open(Path dir, LogConfig config, Clock clock) throws IOException {
    Files.createDirectories(dir);
    LogCheckpoints checkpoints = new LogCheckpoints(dir);
    boolean cleanShutdown = checkpoints.takeCleanShutdownMarker();
    return new PartitionLog(dir, clock, checkpoints, LogLoader.load(dir, config, clock, checkpoints, cleanShutdown));
  }

  /**
   * The high watermark as last checkpointed, within the log's offsets now: a crash may have cut
   * unflushed batches below it, and records deleted since are below the log start.
   */
  public long checkpointedHighWatermark() {
    return Math.min(local.logEndOffset(), Math.max(local.logStartOffset(), checkpointedHighWatermark));
  }

  /** The high watermark the checkpoint file holds (0 when there is none); thread-safe. */
  public long highWatermarkOnDisk() {
    return checkpointedHighWatermark;
  }

  /**
   * Writes {@code highWatermark} to disk if it moved since the last checkpoint; nothing once the log
   * is closed. Thread-safe, and takes no lock of the log's writes: it fsyncs, which may take long.
   */
  public void checkpointHighWatermark(long highWatermark) throws IOException {
    synchronized (checkpointLock) {
      if (!checkpointsClosed && highWatermark != checkpointedHighWatermark) {
        checkpoints.writeHighWatermark(highWatermark);
        checkpointedHighWatermark = highWatermark;
      }
    }
  }

  /**
   * Records that {@code leaderEpoch} starts at the log end offset, as Kafka does when a replica
   * becomes leader, before anything is appended in it. A follower whose tail came from a later
   * epoch than any batch here then gets where to cut from OffsetForLeaderEpoch instead of an
   * undefined answer that would make it drop its whole log. No-op for an epoch not newer than the
   * latest recorded.
   */
  public void startLeaderEpoch(int leaderEpoch) throws IOException {
    epochCache.assign(leaderEpoch, local.logEndOffset());
  }

  /**
   * Validates every batch, checks idempotent-producer sequences, assigns offsets from the log end
   * offset and stamps {@code leaderEpoch}. Writes nothing if any batch is rejected.
   * Throws Kafka's own exception types (CorruptRecordException, RecordTooLargeException,
   * InvalidRecordException, OutOfOrderSequenceException, InvalidProducerEpochException) naming the reason,
   * and FencedLeaderEpochException if {@code leaderEpoch} is older than the log's latest epoch.
   * The batches of {@code records} are rewritten in place (offsets, leader epoch, LogAppendTime).
   * An exact resend of one of a producer's last 5 batches returns the original offsets with
   * {@code duplicate} set (and no append time) and writes nothing.
   */
  public LogAppendInfo appendAsLeader(MemoryRecords records, int leaderEpoch) throws IOException {
    lock.lock();
    try {
      return appendAsLeaderLocked(records, leaderEpoch);
    } finally {
      lock.unlock();
    }
  }

  private LogAppendInfo appendAsLeaderLocked(MemoryRecords records, int leaderEpoch) throws IOException {
    ensureOpen();
    LogConfig cfg = local.config();
    long nowMs = clock.millis();
    OptionalInt latestEpoch = epochCache.latestEpoch();
    if (latestEpoch.isPresent() && leaderEpoch < latestEpoch.getAsInt()) {
      throw new FencedLeaderEpochException("leader epoch " + leaderEpoch + " is older than the log's latest epoch "
          + latestEpoch.getAsInt() + " in " + dir);
    }
    ByteBuffer buf = records.buffer();
    int start = buf.position();
    int end = buf.limit();
    long firstOffset = local.logEndOffset();
    if (start == end) {
      throw new InvalidRecordException("no record batches to append at offset " + firstOffset + " in " + dir);
    }
    long appendTimeMs = cfg.timestampType() == TimestampType.LOG_APPEND_TIME ? nowMs : RecordBatch.NO_TIMESTAMP;
    long nextOffset = firstOffset;
    ProducerStateManager.Staged staged = null; // most batches are not idempotent: allocate on demand
    for (int pos = start; pos < end; pos += BatchHeader.sizeBytes(buf, pos)) {
      validator.validateClientBatch(buf, pos, end, nextOffset, cfg.maxMessageBytes());
      int lastOffsetDelta = BatchHeader.lastOffsetDelta(buf, pos);
      long producerId = BatchHeader.producerId(buf, pos);
      if (producerId >= 0) {
        staged = staged == null ? producerState.stage() : staged;
        Optional<ProducerStateManager.BatchMetadata> duplicate = staged.append(producerId,
            BatchHeader.producerEpoch(buf, pos), BatchHeader.baseSequence(buf, pos), BatchHeader.lastSequence(buf, pos),
            nextOffset, nextOffset + lastOffsetDelta,
            appendTimeMs != RecordBatch.NO_TIMESTAMP ? appendTimeMs : BatchHeader.maxTimestampMs(buf, pos));
        if (duplicate.isPresent()) {
          // Like Kafka: the producer resent a batch it already wrote; answer with the original offsets.
          return new LogAppendInfo(duplicate.get().firstOffset(), duplicate.get().lastOffset(),
              RecordBatch.NO_TIMESTAMP, local.logStartOffset(), true);
        }
      }
      nextOffset += lastOffsetDelta + 1L;
    }
    if (cfg.cleanup().compact()) {
      validator.requireKeys(records, firstOffset);
    }
    LogValidator.assignOffsets(records, firstOffset, leaderEpoch, appendTimeMs);
    if (latestEpoch.isEmpty() || leaderEpoch > latestEpoch.getAsInt()) {
      epochCache.assign(leaderEpoch, firstOffset);
    }
    local.append(fromPositionZero(records, buf), nextOffset, nowMs);
    if (staged != null) {
      producerState.commit(staged);
    }
    local.maybeFlush(nextOffset - firstOffset, nowMs);
    return new LogAppendInfo(firstOffset, nextOffset - 1, appendTimeMs, local.logStartOffset(), false);
  }

  /**
   * Appends batches a leader already wrote, keeping their offsets, leader epochs and timestamps: a
   * follower's copy. The batches must start at or above the log end offset, in order (a compacted
   * leader's log has gaps). Producer state and the leader-epoch cache follow the batches, so a follower that
   * becomes leader deduplicates idempotent producers and answers epoch queries like the old leader.
   */
  public LogAppendInfo appendAsFollower(MemoryRecords records) throws IOException {
    lock.lock();
    try {
      return appendAsFollowerLocked(records);
    } finally {
      lock.unlock();
    }
  }

  private LogAppendInfo appendAsFollowerLocked(MemoryRecords records) throws IOException {
    ensureOpen();
    long nowMs = clock.millis();
    ByteBuffer buf = records.buffer();
    int start = buf.position();
    int end = buf.limit();
    long firstOffset = local.logEndOffset();
    if (start == end) {
      return new LogAppendInfo(firstOffset, firstOffset - 1, RecordBatch.NO_TIMESTAMP, local.logStartOffset(), false);
    }
    long nextOffset = firstOffset;
    long messages = 0;
    for (int pos = start; pos < end; pos += BatchHeader.sizeBytes(buf, pos)) {
      validator.validateReplicatedBatch(buf, pos, end, nextOffset);
      nextOffset = BatchHeader.lastOffset(buf, pos) + 1;
      messages += BatchHeader.lastOffsetDelta(buf, pos) + 1L;
    }
    OptionalInt latestEpoch = epochCache.latestEpoch();
    for (int pos = start; pos < end; pos += BatchHeader.sizeBytes(buf, pos)) {
      int epoch = BatchHeader.partitionLeaderEpoch(buf, pos);
      if (latestEpoch.isEmpty() || epoch > latestEpoch.getAsInt()) {
        epochCache.assign(epoch, BatchHeader.baseOffset(buf, pos));
        latestEpoch = OptionalInt.of(epoch);
      }
      long producerId = BatchHeader.producerId(buf, pos);
      if (producerId >= 0) {
        producerState.replay(producerId, BatchHeader.producerEpoch(buf, pos), BatchHeader.baseSequence(buf, pos),
            BatchHeader.lastSequence(buf, pos), BatchHeader.baseOffset(buf, pos), BatchHeader.lastOffset(buf, pos),
            BatchHeader.maxTimestampMs(buf, pos));
      }
    }
    local.append(fromPositionZero(records, buf), nextOffset, nowMs);
    local.maybeFlush(messages, nowMs);
    return new LogAppendInfo(firstOffset, nextOffset - 1, RecordBatch.NO_TIMESTAMP, local.logStartOffset(), false);
  }

  /** {@code records} as FileRecords writes them: from buffer position 0 ({@code buf} is its buffer). */
  private static MemoryRecords fromPositionZero(MemoryRecords records, ByteBuffer buf) {
    return buf.position() == 0 ? records : MemoryRecords.readableRecords(buf.slice());
  }

  /**
   * Whole batches from the one containing {@code fetchOffset}, up to {@code maxBytes} (at least one
   * batch), never including offsets at or above {@code maxOffsetExclusive}.
   * Throws OffsetOutOfRangeException below the log start offset or above the log end offset.
   *
   * <p>A batch is returned only if its last offset is below {@code maxOffsetExclusive} (Kafka's
   * high-watermark rule: a consumer never sees an offset at or above the bound, so a batch that
   * straddles it waits). Batches come from one segment, like Kafka's reads: a fetch at a segment's
   * end gets the rest with its next fetch. Every returned batch passed its CRC check; a damaged one
   * is a {@link CorruptSegmentException}.
   */
  public FetchedRecords read(long fetchOffset, int maxBytes, long maxOffsetExclusive) throws IOException {
    return local.read(fetchOffset, maxBytes, maxOffsetExclusive, false);
  }

  /**
   * As {@link #read}, but the batches stay in the segment file (a slice, for a transport that sends
   * it with sendfile); their CRCs are not checked here (see LogSegment#slice).
   */
  public FetchedRecords readFileSlice(long fetchOffset, int maxBytes, long maxOffsetExclusive) throws IOException {
    return local.read(fetchOffset, maxBytes, maxOffsetExclusive, true);
  }

  public long logStartOffset() {
    return local.logStartOffset();
  }

  public long logEndOffset() {
    return local.logEndOffset();
  }

  /** Bytes of all segments, what Kafka reports as the partition's size. Safe for concurrent readers. */
  public long sizeBytes() {
    return local.segments().sizeBytes();
  }

  /**
   * Bytes from the batch holding {@code offset} to the end of the log: what a replica whose log
   * ends at {@code offset} still has to fetch (all of it below the log start, none at the end).
   */
  public long bytesFrom(long offset) throws IOException {
    if (offset >= local.logEndOffset()) {
      return 0;
    }
    if (offset <= local.logStartOffset()) {
      return sizeBytes();
    }
    long total = 0;
    boolean first = true;
    for (LogSegment segment : local.segments().from(offset)) {
      int size = segment.sizeBytes();
      total += first ? size - segment.positionOf(offset, size) : size;
      first = false;
    }
    return total;
  }

  /** The producers with batches in this log; only the writer may call it (the producer state is the writer's). */
  public List<ActiveProducer> activeProducers() {
    lock.lock();
    try {
      return activeProducersLocked();
    } finally {
      lock.unlock();
    }
  }

  private List<ActiveProducer> activeProducersLocked() {
    ensureOpen();
    return producerState.activeProducers();
  }

  /** The first offset (at or above the log start offset) whose timestamp is >= {@code timestampMs}. */
  public Optional<FileRecords.TimestampAndOffset> offsetForTimestamp(long timestampMs) throws IOException {
    long startOffset = local.logStartOffset();
    for (LogSegment segment : local.segments().all()) {
      if (segment.maxTimestampMs() >= timestampMs) {
        Optional<FileRecords.TimestampAndOffset> found = segment.findOffsetByTimestamp(timestampMs, startOffset);
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }

  /** The offset and timestamp of the record with the largest timestamp (ListOffsets MAX_TIMESTAMP). */
  public Optional<FileRecords.TimestampAndOffset> offsetOfMaxTimestamp() throws IOException {
    LogSegment holder = null;
    for (LogSegment segment : local.segments().all()) {
      if (segment.sizeBytes() > 0 && (holder == null || segment.maxTimestampMs() > holder.maxTimestampMs())) {
        holder = segment;
      }
    }
    return holder == null ? Optional.empty() : holder.findOffsetOfMaxTimestamp();
  }

  /**
   * Removes every batch holding an offset >= {@code offset}. Batches are never split, so the log end
   * offset becomes the base of the batch holding {@code offset} (equal to it when, as for follower
   * truncation, {@code offset} is a batch boundary). Below the log start offset, the log is emptied
   * and restarts at {@code offset}.
   */
  public void truncateTo(long offset) throws IOException {
    lock.lock();
    try {
      truncateToLocked(offset);
    } finally {
      lock.unlock();
    }
  }

  private void truncateToLocked(long offset) throws IOException {
    ensureOpen();
    if (offset >= local.logEndOffset()) {
      return;
    }
    if (offset < local.logStartOffset()) {
      truncateFullyAndStartAt(offset);
    } else {
      local.truncateTo(offset);
    }
    epochCache.truncateFromEnd(local.logEndOffset());
    LogLoader.rebuildProducerState(local.segments(), producerState);
    producerState.retireBelow(local.logStartOffset());
  }

  /**
   * Empties the log and restarts it at {@code offset}: a follower whose leader no longer holds the
   * follower's next offset (deleted by retention or DeleteRecords) copies the leader's log from there.
   */
  public void truncateFullyAndRestartAt(long offset) throws IOException {
    lock.lock();
    try {
      truncateFullyAndRestartAtLocked(offset);
    } finally {
      lock.unlock();
    }
  }

  private void truncateFullyAndRestartAtLocked(long offset) throws IOException {
    ensureOpen();
    truncateFullyAndStartAt(offset);
  }

  private void truncateFullyAndStartAt(long offset) throws IOException {
    local.truncateFullyAndStartAt(offset);
    epochCache.clear();
    producerState.clear();
  }

  /** Advances the log start offset (DeleteRecords); deletes segments wholly below it. */
  public void deleteRecordsBefore(long offset) throws IOException {
    lock.lock();
    try {
      deleteRecordsBeforeLocked(offset);
    } finally {
      lock.unlock();
    }
  }

  private void deleteRecordsBeforeLocked(long offset) throws IOException {
    ensureOpen();
    if (offset > local.logEndOffset()) {
      throw new OffsetOutOfRangeException("cannot delete records before " + offset + ": above the log end offset "
          + local.logEndOffset() + " of " + dir);
    }
    if (offset > local.logStartOffset()) {
      advanceLogStartOffset(offset);
    }
  }

  private void advanceLogStartOffset(long offset) throws IOException {
    local.advanceLogStartOffset(offset);
    epochCache.truncateFromStart(offset);
    producerState.retireBelow(offset);
  }

  /**
   * Rolls segments by age, fsyncs rolled segments (or everything, when flush.ms has passed) and
   * deletes whole segments beyond retention.ms / retention.bytes. The owner calls it periodically.
   */
  public void runMaintenance() throws IOException {
    lock.lock();
    try {
      runMaintenanceLocked();
    } finally {
      lock.unlock();
    }
  }

  private void runMaintenanceLocked() throws IOException {
    ensureOpen();
    LogConfig cfg = local.config();
    long nowMs = clock.millis();
    local.rollIfOld(nowMs);
    local.flushForMaintenance(nowMs);
    local.deleteRemovedSegments(nowMs);
    long retainedStartOffset = LogRetention.retainedStartOffset(
        local.segments().infos(local.logEndOffset()), nowMs, cfg);
    if (retainedStartOffset > local.logStartOffset()) {
      advanceLogStartOffset(retainedStartOffset);
    }
  }

  public void updateConfig(LogConfig config) {
    lock.lock();
    try {
      updateConfigLocked(config);
    } finally {
      lock.unlock();
    }
  }

  private void updateConfigLocked(LogConfig config) {
    local.updateConfig(config);
  }

  public LogConfig config() {
    return local.config();
  }

  /**
   * The segments, for tests of this package: {@link LocalLog#inactiveSegments}, a segment's batches
   * and {@link LocalLog#replaceSegments}, which only the writer may call (the cleaner goes through
   * {@link #replaceSegments}).
   */
  LocalLog localLog() {
    return local;
  }

  /** What the cleaner reads of the log, taken at one instant under the lock. */
  record CleanerView(Path dir, LogConfig config, long logStartOffset, long cleanedUpToOffset, List<LogSegment> segments,
      List<SegmentInfo> segmentInfos, Map<Long, Long> producerLastOffsets) {}

  /** The segments (oldest first, the active one last) and the state the cleaner decides and filters by. */
  CleanerView cleanerView() {
    lock.lock();
    try {
      ensureOpen();
      return new CleanerView(dir, local.config(), local.logStartOffset(), cleanedUpToOffset,
          new ArrayList<>(local.segments().all()), local.segments().infos(local.logEndOffset()),
          producerState.lastBatchOffsets());
    } finally {
      lock.unlock();
    }
  }

  /** Records that the cleaner has cleaned everything below {@code offset}. */
  void checkpointCleanedUpTo(long offset) throws IOException {
    lock.lock();
    try {
      if (!closed) {
        checkpoints.writeCleanerOffset(offset);
        cleanedUpToOffset = offset;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Swaps {@code cleaned} in for {@code old} (consecutive inactive segments, the first at the
   * cleaned one's base offset) under the lock, crash-safely ({@link LocalLog#replaceSegments});
   * {@code afterStep} lets tests crash between the steps. Returns false, deleting the cleaned
   * segment, if any old segment has left the log since the cleaner read it (truncation,
   * retention, close).
   */
  boolean replaceSegments(List<LogSegment> old, LogSegment cleaned, Consumer<LocalLog.SwapStep> afterStep)
      throws IOException {
    lock.lock();
    try {
      for (LogSegment segment : old) {
        if (closed || local.segment(segment.baseOffset()).orElse(null) != segment || segment == local.segments().active()) {
          cleaned.closeAndDelete();
          return false;
        }
      }
      local.replaceSegments(cleaned, old.stream().map(LogSegment::baseOffset).toList(), afterStep);
      return true;
    } finally {
      lock.unlock();
    }
  }

  public LeaderEpochCache leaderEpochCache() {
    return epochCache;
  }

  /** Fsyncs every segment not yet flushed, with its indexes, and moves the recovery point to the end. */
  public void flush() throws IOException {
    lock.lock();
    try {
      flushLocked();
    } finally {
      lock.unlock();
    }
  }

  private void flushLocked() throws IOException {
    ensureOpen();
    local.flush();
  }

  /** Flushes and writes the clean-shutdown marker. */
  @Override
  public void close() throws IOException {
    lock.lock();
    try {
      closeLocked();
    } finally {
      lock.unlock();
    }
  }

  private void closeLocked() throws IOException {
    if (closed) {
      return;
    }
    flush();
    producerState.writeSnapshot(local.logEndOffset());
    closeSegments();
    checkpoints.writeCleanShutdownMarker();
  }

  /**
   * Releases the files after an I/O error, without flushing or marking a clean shutdown: the next
   * {@link #open} recovers the log as after a crash, back to its last valid batch.
   */
  public void closeAfterFailure() throws IOException {
    if (!closed) {
      closeSegments();
    }
  }

  /** Closes and removes the directory (topic deletion). */
  public void delete() throws IOException {
    lock.lock();
    try {
      deleteLocked();
    } finally {
      lock.unlock();
    }
  }

  private void deleteLocked() throws IOException {
    if (!closed) {
      closeSegments();
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  private void closeSegments() throws IOException {
    synchronized (checkpointLock) { // waits for a checkpoint being written
      checkpointsClosed = true;
    }
    closed = true;
    local.closeSegments();
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("log " + dir + " is closed");
    }
  }

  @Override
  public String toString() {
    return "PartitionLog(" + local + ")";
  }
}
