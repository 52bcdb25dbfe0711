package io.vltava.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The append-only log of one partition replica: a directory of segments.
 * Invariants: segments are ordered by base offset and contiguous; logStartOffset <= logEndOffset;
 * every byte below a segment's published size is a whole batch that passed validation.
 *
 * <p>Thread-safety: one writer at a time (the partition's actor; callers serialise every method
 * but the read-only ones), many concurrent readers of {@link #read}, {@link #logStartOffset},
 * {@link #logEndOffset}, {@link #offsetForTimestamp}, {@link #offsetOfMaxTimestamp}. The writer
 * publishes a batch by advancing the segment's volatile size and then the volatile log end offset;
 * a reader reads the log end offset first and never returns a batch at or above it. Do not
 * interrupt a thread inside these methods: NIO closes a FileChannel whose reader is interrupted,
 * for every user of the segment.
 */
public final class PartitionLog implements AutoCloseable {
  static final String CLEAN_SHUTDOWN_FILE = "clean-shutdown";
  static final String LOG_START_OFFSET_FILE = "log-start-offset";
  static final String RECOVERY_POINT_FILE = "recovery-point";
  static final String HIGH_WATERMARK_FILE = "high-watermark";
  private static final int ATTRIBUTES_OFFSET = DefaultRecordBatch.CRC_OFFSET + 4;
  private static final int TRANSACTIONAL_FLAG = 0x10;
  private static final int CONTROL_FLAG = 0x20;
  private static final int PRODUCER_ID_OFFSET = 43;
  private static final int PRODUCER_EPOCH_OFFSET = 51;
  private static final int BASE_SEQUENCE_OFFSET = 53;
  private static final int PARTITION_LEADER_EPOCH_OFFSET = 12;

  private final Path dir;
  private final Clock clock;
  private volatile LogConfig config;
  private final ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
  private volatile long logStartOffset;
  private volatile long logEndOffset;
  /** Every offset below it is fsynced; an unclean open re-validates from the segment holding it. */
  private long recoveryPoint;
  private final CheckpointFile logStartOffsetCheckpoint;
  private final CheckpointFile recoveryPointCheckpoint;
  private final CheckpointFile highWatermarkCheckpoint;
  private long checkpointedHighWatermark;
  private final LeaderEpochCache epochCache;
  private final ProducerStateManager producerState;
  private final CRC32C writerCrc = new CRC32C();
  private long unflushedMessages;
  private long lastFlushMs;
  private boolean closed;

  private PartitionLog(Path dir, LogConfig config, Clock clock) throws IOException {
    this.dir = dir;
    this.config = config;
    this.clock = clock;
    this.logStartOffsetCheckpoint = new CheckpointFile(dir.resolve(LOG_START_OFFSET_FILE));
    this.recoveryPointCheckpoint = new CheckpointFile(dir.resolve(RECOVERY_POINT_FILE));
    this.highWatermarkCheckpoint = new CheckpointFile(dir.resolve(HIGH_WATERMARK_FILE));
    this.epochCache = LeaderEpochCache.load(dir, () -> logEndOffset);
    this.producerState = new ProducerStateManager(dir);
    this.lastFlushMs = clock.millis();
  }

  /** Opens (and, after an unclean shutdown, recovers) the log in {@code dir}, creating it if absent. */
  public static PartitionLog open(Path dir, LogConfig config, Clock clock) throws IOException {
    Files.createDirectories(dir);
    Path marker = dir.resolve(CLEAN_SHUTDOWN_FILE);
    boolean cleanShutdown = Files.exists(marker);
    // Removed before loading, so a crash from now on is detected by the next open.
    Files.deleteIfExists(marker);
    CheckpointFile.fsyncDirectory(dir);
    PartitionLog log = new PartitionLog(dir, config, clock);
    log.load(cleanShutdown);
    return log;
  }

  private void load(boolean cleanShutdown) throws IOException {
    long checkpointedStart = readOffset(logStartOffsetCheckpoint).orElse(0L);
    checkpointedHighWatermark = readOffset(highWatermarkCheckpoint).orElse(0L);
    recoveryPoint = cleanShutdown ? Long.MAX_VALUE : readOffset(recoveryPointCheckpoint).orElse(0L);
    List<Long> baseOffsets = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        if (file.getFileName().toString().endsWith(".tmp")) {
          Files.deleteIfExists(file);
        } else if (LogSegment.isLogFile(file)) {
          baseOffsets.add(LogSegment.baseOffsetOf(file));
        }
      }
    }
    baseOffsets.sort(Comparator.naturalOrder());
    long nowMs = clock.millis();
    boolean recovered = false;
    boolean truncated = false;
    for (int i = 0; i < baseOffsets.size(); i++) {
      long baseOffset = baseOffsets.get(i);
      LogSegment segment = LogSegment.open(dir, baseOffset, config.segmentIndexBytes(), nowMs);
      if (truncated || (!segments.isEmpty() && baseOffset < segments.lastEntry().getValue().nextOffset())) {
        // After a cut (or an overlap), later segments cannot continue the valid prefix.
        segment.closeAndDelete();
        continue;
      }
      boolean wasFlushed = i + 1 < baseOffsets.size() && baseOffsets.get(i + 1) <= recoveryPoint;
      int invalidPosition = wasFlushed || cleanShutdown
          ? segment.loadTrusted(config.indexIntervalBytes(), writerCrc)
          : segment.recover(config.indexIntervalBytes(), writerCrc);
      boolean rebuilt = !(wasFlushed || cleanShutdown);
      if (invalidPosition >= 0) {
        segment.truncateToPosition(invalidPosition, config.indexIntervalBytes(), writerCrc);
        truncated = true;
        rebuilt = true;
      }
      if (rebuilt) {
        // Persist the rebuilt indexes and make the validated bytes durable: below the recovery point.
        segment.flush();
        recovered = true;
      }
      if (i + 1 < baseOffsets.size()) {
        segment.seal();
      }
      segments.put(baseOffset, segment);
    }
    if (segments.isEmpty()) {
      segments.put(checkpointedStart, LogSegment.create(dir, checkpointedStart, config.segmentIndexBytes(), nowMs));
    }
    logEndOffset = activeSegment().nextOffset();
    logStartOffset = Math.max(checkpointedStart, segments.firstKey());
    if (logStartOffset > logEndOffset) {
      // The suffix holding the log start was lost in a crash; nothing below it may reappear.
      truncateFullyAndStartAt(logStartOffset);
    }
    if (epochCache.isEmpty()) {
      rebuildEpochCache();
    }
    epochCache.truncateFromEnd(logEndOffset);
    epochCache.truncateFromStart(logStartOffset);
    if (!producerState.loadSnapshot(logEndOffset) || !cleanShutdown) {
      rebuildProducerState();
    }
    producerState.retireBelow(logStartOffset);
    recoveryPoint = logEndOffset;
    if (recovered || !cleanShutdown) {
      writeOffset(recoveryPointCheckpoint, recoveryPoint);
    }
  }

  /**
   * The high watermark as last checkpointed, within the log's offsets now: a crash may have cut
   * unflushed batches below it, and records deleted since are below the log start.
   */
  public long checkpointedHighWatermark() {
    return Math.min(logEndOffset, Math.max(logStartOffset, checkpointedHighWatermark));
  }

  /** Writes {@code highWatermark} to disk if it moved since the last checkpoint. */
  public void checkpointHighWatermark(long highWatermark) throws IOException {
    if (highWatermark != checkpointedHighWatermark) {
      writeOffset(highWatermarkCheckpoint, highWatermark);
      checkpointedHighWatermark = highWatermark;
    }
  }

  private static Optional<Long> readOffset(CheckpointFile file) throws IOException {
    Optional<List<String>> lines = file.read();
    try {
      return lines.filter(l -> l.size() == 1).map(l -> Long.parseLong(l.get(0)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static void writeOffset(CheckpointFile file, long offset) throws IOException {
    file.write(List.of(Long.toString(offset)));
  }

  private void rebuildEpochCache() throws IOException {
    for (LogSegment segment : segments.values()) {
      segment.scanHeaders(header -> {
        int epoch = header.getInt(PARTITION_LEADER_EPOCH_OFFSET);
        OptionalInt latest = epochCache.latestEpoch();
        if (epoch >= 0 && (latest.isEmpty() || epoch > latest.getAsInt())) {
          epochCache.assign(epoch, BatchHeader.baseOffset(header, 0));
        }
      });
    }
  }

  private void rebuildProducerState() throws IOException {
    producerState.clear();
    for (LogSegment segment : segments.values()) {
      segment.scanHeaders(header -> {
        long producerId = header.getLong(PRODUCER_ID_OFFSET);
        if (producerId >= 0) {
          int firstSeq = header.getInt(BASE_SEQUENCE_OFFSET);
          producerState.replay(producerId, header.getShort(PRODUCER_EPOCH_OFFSET), firstSeq,
              DefaultRecordBatch.incrementSequence(firstSeq, BatchHeader.lastOffsetDelta(header, 0)),
              BatchHeader.baseOffset(header, 0), BatchHeader.lastOffset(header, 0), BatchHeader.maxTimestampMs(header, 0));
        }
      });
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
    epochCache.assign(leaderEpoch, logEndOffset);
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
    ensureOpen();
    LogConfig cfg = config;
    long nowMs = clock.millis();
    OptionalInt latestEpoch = epochCache.latestEpoch();
    if (latestEpoch.isPresent() && leaderEpoch < latestEpoch.getAsInt()) {
      throw new FencedLeaderEpochException("leader epoch " + leaderEpoch + " is older than the log's latest epoch "
          + latestEpoch.getAsInt() + " in " + dir);
    }
    ByteBuffer buf = records.buffer();
    int start = buf.position();
    int end = buf.limit();
    if (start == end) {
      throw new InvalidRecordException("no record batches to append at offset " + logEndOffset + " in " + dir);
    }
    long appendTimeMs = cfg.timestampType() == TimestampType.LOG_APPEND_TIME ? nowMs : RecordBatch.NO_TIMESTAMP;
    long firstOffset = logEndOffset;
    long nextOffset = firstOffset;
    long messages = 0;
    ProducerStateManager.Staged staged = null; // most batches are not idempotent: allocate on demand
    for (int pos = start; pos < end; pos += BatchHeader.sizeBytes(buf, pos)) {
      validateBatch(buf, pos, end, nextOffset, cfg);
      int lastOffsetDelta = BatchHeader.lastOffsetDelta(buf, pos);
      long producerId = buf.getLong(pos + PRODUCER_ID_OFFSET);
      if (producerId >= 0) {
        int firstSeq = buf.getInt(pos + BASE_SEQUENCE_OFFSET);
        staged = staged == null ? producerState.stage() : staged;
        Optional<ProducerStateManager.BatchMetadata> duplicate = staged.append(producerId,
            buf.getShort(pos + PRODUCER_EPOCH_OFFSET), firstSeq,
            DefaultRecordBatch.incrementSequence(firstSeq, lastOffsetDelta), nextOffset, nextOffset + lastOffsetDelta,
            appendTimeMs != RecordBatch.NO_TIMESTAMP ? appendTimeMs : BatchHeader.maxTimestampMs(buf, pos));
        if (duplicate.isPresent()) {
          // Like Kafka: the producer resent a batch it already wrote; answer with the original offsets.
          return new LogAppendInfo(duplicate.get().firstOffset(), duplicate.get().lastOffset(),
              RecordBatch.NO_TIMESTAMP, logStartOffset, true);
        }
      }
      nextOffset += lastOffsetDelta + 1L;
      messages += lastOffsetDelta + 1L;
    }
    LogSegment active = activeSegment();
    if (shouldRoll(active, end - start, nextOffset - 1, nowMs, cfg)) {
      active = roll(nowMs);
    }
    long offset = firstOffset;
    for (MutableRecordBatch batch : records.batches()) {
      long lastOffsetDelta = batch.lastOffset() - batch.baseOffset();
      batch.setLastOffset(offset + lastOffsetDelta);
      batch.setPartitionLeaderEpoch(leaderEpoch);
      if (appendTimeMs != RecordBatch.NO_TIMESTAMP) {
        batch.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, appendTimeMs);
      }
      offset += lastOffsetDelta + 1;
    }
    if (latestEpoch.isEmpty() || leaderEpoch > latestEpoch.getAsInt()) {
      epochCache.assign(leaderEpoch, firstOffset);
    }
    active.append(buf, cfg.indexIntervalBytes(), nowMs);
    logEndOffset = nextOffset;
    if (staged != null) {
      producerState.commit(staged);
    }
    unflushedMessages += messages;
    if (unflushedMessages >= cfg.flushMessages() || nowMs - lastFlushMs >= cfg.flushMs()) {
      flush();
    }
    return new LogAppendInfo(firstOffset, nextOffset - 1, appendTimeMs, logStartOffset, false);
  }

  /**
   * Appends batches a leader already wrote, keeping their offsets, leader epochs and timestamps: a
   * follower's copy. The first batch must start at the log end offset and the batches must be
   * contiguous. Producer state and the leader-epoch cache follow the batches, so a follower that
   * becomes leader deduplicates idempotent producers and answers epoch queries like the old leader.
   */
  public LogAppendInfo appendAsFollower(MemoryRecords records) throws IOException {
    ensureOpen();
    LogConfig cfg = config;
    long nowMs = clock.millis();
    ByteBuffer buf = records.buffer();
    int start = buf.position();
    int end = buf.limit();
    if (start == end) {
      return new LogAppendInfo(logEndOffset, logEndOffset - 1, RecordBatch.NO_TIMESTAMP, logStartOffset, false);
    }
    long firstOffset = logEndOffset;
    long nextOffset = firstOffset;
    long messages = 0;
    for (int pos = start; pos < end; pos += BatchHeader.sizeBytes(buf, pos)) {
      validateReplicatedBatch(buf, pos, end, nextOffset);
      nextOffset = BatchHeader.lastOffset(buf, pos) + 1;
      messages += BatchHeader.lastOffsetDelta(buf, pos) + 1L;
    }
    LogSegment active = activeSegment();
    if (shouldRoll(active, end - start, nextOffset - 1, nowMs, cfg)) {
      active = roll(nowMs);
    }
    OptionalInt latestEpoch = epochCache.latestEpoch();
    for (int pos = start; pos < end; pos += BatchHeader.sizeBytes(buf, pos)) {
      int epoch = buf.getInt(pos + PARTITION_LEADER_EPOCH_OFFSET);
      if (latestEpoch.isEmpty() || epoch > latestEpoch.getAsInt()) {
        epochCache.assign(epoch, BatchHeader.baseOffset(buf, pos));
        latestEpoch = OptionalInt.of(epoch);
      }
      long producerId = buf.getLong(pos + PRODUCER_ID_OFFSET);
      if (producerId >= 0) {
        int firstSeq = buf.getInt(pos + BASE_SEQUENCE_OFFSET);
        producerState.replay(producerId, buf.getShort(pos + PRODUCER_EPOCH_OFFSET), firstSeq,
            DefaultRecordBatch.incrementSequence(firstSeq, BatchHeader.lastOffsetDelta(buf, pos)),
            BatchHeader.baseOffset(buf, pos), BatchHeader.lastOffset(buf, pos), BatchHeader.maxTimestampMs(buf, pos));
      }
    }
    active.append(buf, cfg.indexIntervalBytes(), nowMs);
    logEndOffset = nextOffset;
    unflushedMessages += messages;
    if (unflushedMessages >= cfg.flushMessages() || nowMs - lastFlushMs >= cfg.flushMs()) {
      flush();
    }
    return new LogAppendInfo(firstOffset, nextOffset - 1, RecordBatch.NO_TIMESTAMP, logStartOffset, false);
  }

  /** A replicated batch must be intact and continue the log exactly where it ends. */
  private void validateReplicatedBatch(ByteBuffer buf, int pos, int end, long expectedBaseOffset) {
    String framingError = BatchHeader.framingError(buf, pos, end);
    if (framingError != null) {
      throw new CorruptRecordException(batchAt(expectedBaseOffset) + " from the leader: " + framingError);
    }
    if (BatchHeader.magic(buf, pos) != RecordBatch.MAGIC_VALUE_V2 || !BatchHeader.crcMatches(buf, pos, writerCrc)) {
      throw new CorruptRecordException(batchAt(expectedBaseOffset) + " from the leader fails its checks");
    }
    if (BatchHeader.baseOffset(buf, pos) != expectedBaseOffset) {
      throw new InvalidRecordException("replicated batch starts at offset " + BatchHeader.baseOffset(buf, pos)
          + " but " + dir + " ends at " + expectedBaseOffset);
    }
  }

  /** Checks one batch of a request; {@code offset} is the one it would get, for the message. */
  private void validateBatch(ByteBuffer buf, int pos, int end, long offset, LogConfig cfg) {
    if (end - pos >= BatchHeader.FRAMING_BYTES && BatchHeader.magic(buf, pos) != RecordBatch.MAGIC_VALUE_V2) {
      throw new InvalidRecordException(batchAt(offset) + " has magic " + BatchHeader.magic(buf, pos)
          + "; only v2 record batches are accepted");
    }
    String framingError = BatchHeader.framingError(buf, pos, end);
    if (framingError != null) {
      throw new CorruptRecordException(batchAt(offset) + ": " + framingError);
    }
    int sizeBytes = BatchHeader.sizeBytes(buf, pos);
    if (sizeBytes > cfg.maxMessageBytes()) {
      throw new RecordTooLargeException(batchAt(offset) + " is " + sizeBytes + " bytes, above max.message.bytes "
          + cfg.maxMessageBytes());
    }
    if (!BatchHeader.crcMatches(buf, pos, writerCrc)) {
      throw new CorruptRecordException(batchAt(offset) + " fails its CRC check");
    }
    if (BatchHeader.recordCount(buf, pos) != BatchHeader.lastOffsetDelta(buf, pos) + 1) {
      throw new InvalidRecordException(batchAt(offset) + " has " + BatchHeader.recordCount(buf, pos)
          + " records but lastOffsetDelta " + BatchHeader.lastOffsetDelta(buf, pos));
    }
    short attributes = buf.getShort(pos + ATTRIBUTES_OFFSET);
    if ((attributes & CONTROL_FLAG) != 0) {
      throw new InvalidRecordException(batchAt(offset) + " is a control batch; clients may not write those");
    }
    if ((attributes & TRANSACTIONAL_FLAG) != 0) {
      throw new InvalidRecordException(batchAt(offset) + " is transactional; transactions are not supported yet");
    }
  }

  /** Names a batch in an error message; built only on failure, as validation runs per batch. */
  private String batchAt(long offset) {
    return "batch for offset " + offset + " of " + dir;
  }

  private boolean shouldRoll(LogSegment active, int appendBytes, long lastOffset, long nowMs, LogConfig cfg) {
    return active.sizeBytes() > 0
        && ((long) active.sizeBytes() + appendBytes > cfg.segmentBytes()
            || nowMs - active.rollingBaseMs() > cfg.segmentMs()
            || active.indexesFull()
            || lastOffset + 1 - active.baseOffset() > Integer.MAX_VALUE);
  }

  /**
   * Starts a new segment at the log end offset. The finished one is fsynced by the next
   * {@link #runMaintenance} or {@link #flush}, not here: an fsync of a whole segment would stall
   * the append that happened to roll (Kafka flushes it in the background for the same reason).
   */
  private LogSegment roll(long nowMs) throws IOException {
    LogSegment next = LogSegment.create(dir, logEndOffset, config.segmentIndexBytes(), nowMs);
    segments.put(next.baseOffset(), next);
    return next;
  }

  private LogSegment activeSegment() {
    return segments.lastEntry().getValue();
  }

  /**
   * Whole batches from the one containing {@code fetchOffset}, up to {@code maxBytes} (at least one
   * batch), never including offsets at or above {@code maxOffsetExclusive}.
   * Throws OffsetOutOfRangeException below the log start offset or above the log end offset.
   *
   * <p>A batch is returned only if its last offset is below {@code maxOffsetExclusive} (Kafka's
   * high-watermark rule: a consumer never sees an offset at or above the bound, so a batch that
   * straddles it waits). Batches come from one segment, like Kafka's reads: a fetch at a segment's
   * end gets the rest with its next fetch. Every returned batch passed its CRC check.
   */
  public FetchedRecords read(long fetchOffset, int maxBytes, long maxOffsetExclusive) throws IOException {
    long endOffset = logEndOffset;
    long startOffset = logStartOffset;
    if (fetchOffset < startOffset || fetchOffset > endOffset) {
      throw new OffsetOutOfRangeException("fetch offset " + fetchOffset + " is outside [" + startOffset + ", "
          + endOffset + "] of " + dir);
    }
    long bound = Math.min(maxOffsetExclusive, endOffset);
    if (fetchOffset >= bound) {
      return new FetchedRecords(MemoryRecords.EMPTY, startOffset, endOffset);
    }
    CRC32C crc = new CRC32C();
    try {
      Map.Entry<Long, LogSegment> entry = segments.floorEntry(fetchOffset);
      if (entry == null) {
        entry = segments.firstEntry();
      }
      while (entry != null) {
        ByteBuffer batches = entry.getValue().read(fetchOffset, maxBytes, bound, crc);
        if (batches != null) {
          return new FetchedRecords(MemoryRecords.readableRecords(batches), startOffset, endOffset);
        }
        entry = segments.higherEntry(entry.getKey());
      }
    } catch (ClosedChannelException e) {
      // The segment was deleted under us by retention, DeleteRecords or truncation.
      if (fetchOffset < logStartOffset || fetchOffset > logEndOffset) {
        throw new OffsetOutOfRangeException("fetch offset " + fetchOffset + " was removed from " + dir
            + " while reading");
      }
      throw e;
    }
    return new FetchedRecords(MemoryRecords.EMPTY, startOffset, endOffset);
  }

  public long logStartOffset() {
    return logStartOffset;
  }

  public long logEndOffset() {
    return logEndOffset;
  }

  /** Bytes of all segments, what Kafka reports as the partition's size. Safe for concurrent readers. */
  public long sizeBytes() {
    long total = 0;
    for (LogSegment segment : segments.values()) {
      total += segment.sizeBytes();
    }
    return total;
  }

  /** The producers with batches in this log; only the writer may call it (the producer state is the writer's). */
  public List<ActiveProducer> activeProducers() {
    ensureOpen();
    return producerState.activeProducers();
  }

  /** The first offset (at or above the log start offset) whose timestamp is >= {@code timestampMs}. */
  public Optional<FileRecords.TimestampAndOffset> offsetForTimestamp(long timestampMs) throws IOException {
    long startOffset = logStartOffset;
    for (LogSegment segment : segments.values()) {
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
    for (LogSegment segment : segments.values()) {
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
    ensureOpen();
    if (offset >= logEndOffset) {
      return;
    }
    if (offset < logStartOffset) {
      truncateFullyAndStartAt(offset);
    } else {
      // Readers stop at the new bound before the bytes go.
      logEndOffset = offset;
      while (segments.size() > 1 && segments.lastKey() >= offset) {
        segments.pollLastEntry().getValue().closeAndDelete();
      }
      LogSegment last = activeSegment();
      last.truncateTo(offset, config.indexIntervalBytes(), writerCrc);
      last.flush(); // persists the rebuilt indexes; truncation is rare
      logEndOffset = last.nextOffset();
      if (logStartOffset > logEndOffset) {
        logStartOffset = logEndOffset;
        writeOffset(logStartOffsetCheckpoint, logStartOffset);
      }
    }
    epochCache.truncateFromEnd(logEndOffset);
    rebuildProducerState();
    producerState.retireBelow(logStartOffset);
    if (recoveryPoint > logEndOffset) {
      moveRecoveryPoint(logEndOffset);
    }
  }

  /**
   * Empties the log and restarts it at {@code offset}: a follower whose leader no longer holds the
   * follower's next offset (deleted by retention or DeleteRecords) copies the leader's log from there.
   */
  public void truncateFullyAndRestartAt(long offset) throws IOException {
    ensureOpen();
    truncateFullyAndStartAt(offset);
    moveRecoveryPoint(offset);
  }

  /** Deletes every segment and starts an empty one at {@code offset}, which becomes the log start. */
  private void truncateFullyAndStartAt(long offset) throws IOException {
    logEndOffset = Math.min(logEndOffset, offset);
    for (LogSegment segment : new ArrayList<>(segments.values())) {
      segments.remove(segment.baseOffset());
      segment.closeAndDelete();
    }
    segments.put(offset, LogSegment.create(dir, offset, config.segmentIndexBytes(), clock.millis()));
    logStartOffset = offset;
    logEndOffset = offset;
    writeOffset(logStartOffsetCheckpoint, offset);
    epochCache.clear();
    producerState.clear();
  }

  /** Advances the log start offset (DeleteRecords); deletes segments wholly below it. */
  public void deleteRecordsBefore(long offset) throws IOException {
    ensureOpen();
    if (offset > logEndOffset) {
      throw new OffsetOutOfRangeException("cannot delete records before " + offset + ": above the log end offset "
          + logEndOffset + " of " + dir);
    }
    if (offset > logStartOffset) {
      advanceLogStartOffset(offset);
    }
  }

  /**
   * Moves the log start offset up to {@code offset}, persists it, then deletes the segments wholly
   * below it (rolling first if that includes the active one, so a segment always remains).
   */
  private void advanceLogStartOffset(long offset) throws IOException {
    logStartOffset = offset;
    writeOffset(logStartOffsetCheckpoint, offset);
    if (offset == logEndOffset && activeSegment().sizeBytes() > 0) {
      roll(clock.millis());
    }
    while (segments.size() > 1) {
      Map.Entry<Long, LogSegment> first = segments.firstEntry();
      if (segments.higherKey(first.getKey()) > offset) {
        break;
      }
      segments.remove(first.getKey());
      first.getValue().closeAndDelete();
    }
    epochCache.truncateFromStart(offset);
    producerState.retireBelow(offset);
  }

  /**
   * Rolls segments by age, fsyncs rolled segments (or everything, when flush.ms has passed) and
   * deletes whole segments beyond retention.ms / retention.bytes. The owner calls it periodically.
   */
  public void runMaintenance() throws IOException {
    ensureOpen();
    LogConfig cfg = config;
    long nowMs = clock.millis();
    LogSegment active = activeSegment();
    if (active.sizeBytes() > 0 && nowMs - active.rollingBaseMs() > cfg.segmentMs()) {
      roll(nowMs);
    }
    if (unflushedMessages > 0 && nowMs - lastFlushMs >= cfg.flushMs()) {
      flush();
    } else if (recoveryPoint < activeSegment().baseOffset()) {
      flushSegmentsBelow(activeSegment().baseOffset());
      moveRecoveryPoint(activeSegment().baseOffset());
    }
    List<LogSegment> oldestFirst = new ArrayList<>(segments.values());
    int deletable = 0;
    if (cfg.retentionMs() >= 0) {
      while (deletable < oldestFirst.size() && oldestFirst.get(deletable).sizeBytes() > 0
          && oldestFirst.get(deletable).retentionTimestampMs() < nowMs - cfg.retentionMs()) {
        deletable++;
      }
    }
    if (cfg.retentionBytes() >= 0) {
      long excessBytes = -cfg.retentionBytes();
      for (LogSegment segment : oldestFirst) {
        excessBytes += segment.sizeBytes();
      }
      for (int i = 0; i < oldestFirst.size() - 1; i++) {
        excessBytes -= oldestFirst.get(i).sizeBytes();
        if (excessBytes < 0) {
          break;
        }
        deletable = Math.max(deletable, i + 1);
      }
    }
    if (deletable == 0) {
      return;
    }
    long newStartOffset = deletable < oldestFirst.size() ? oldestFirst.get(deletable).baseOffset() : logEndOffset;
    if (newStartOffset > logStartOffset) {
      advanceLogStartOffset(newStartOffset);
    }
  }

  public void updateConfig(LogConfig config) {
    this.config = config;
    activeSegment().setMaxIndexBytes(config.segmentIndexBytes());
  }

  public LogConfig config() {
    return config;
  }

  public LeaderEpochCache leaderEpochCache() {
    return epochCache;
  }

  /** Fsyncs every segment not yet flushed, with its indexes, and moves the recovery point to the end. */
  public void flush() throws IOException {
    ensureOpen();
    LogSegment active = activeSegment();
    flushSegmentsBelow(active.baseOffset());
    active.flush();
    unflushedMessages = 0;
    lastFlushMs = clock.millis();
    moveRecoveryPoint(logEndOffset);
  }

  /** Fsyncs the segments from the one holding the recovery point up to {@code baseOffset} (excluded). */
  private void flushSegmentsBelow(long baseOffset) throws IOException {
    Long from = segments.floorKey(recoveryPoint);
    for (LogSegment segment : segments.tailMap(from == null ? segments.firstKey() : from).values()) {
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
      writeOffset(recoveryPointCheckpoint, offset);
    }
  }

  /** Flushes and writes the clean-shutdown marker. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    flush();
    producerState.writeSnapshot(logEndOffset);
    closeSegments();
    Files.createFile(dir.resolve(CLEAN_SHUTDOWN_FILE));
    CheckpointFile.fsyncDirectory(dir);
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
    closed = true;
    for (LogSegment segment : segments.values()) {
      segment.close();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("log " + dir + " is closed");
    }
  }

  @Override
  public String toString() {
    return "PartitionLog(" + dir + ", offsets [" + logStartOffset + ", " + logEndOffset + "), "
        + segments.size() + " segments)";
  }
}
