package io.vltava.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;

/**
 * One cleaning of one compacted log (Kafka's Cleaner): maps each key of the dirty part to its
 * latest offset, then rewrites every segment below the mapped end keeping, of each key, only the
 * record at that offset (or, for a key not mapped, every record), into a cleaned segment per group
 * of segments, and swaps each in ({@link PartitionLog#replaceSegments}). Batches are rewritten with kafka-clients'
 * {@code MemoryRecords.filterTo}, which keeps each batch's base offset, last offset, producer id,
 * epoch and base sequence, so offsets are preserved and a producer's sequence still follows.
 *
 * <p>What is dropped: a record whose key appears again later in the mapped part; a record without
 * a key; a tombstone (null value) whose batch's delete horizon has passed — filterTo stamps the
 * horizon, now + delete.retention.ms, on a batch the first time a cleaning keeps a tombstone in it.
 * What is kept although empty: the last batch of each producer, whose header carries the
 * producer's last sequence (as Kafka), and the batch that ends right below the active segment, so
 * the log's readable end stays at the active segment's base: a follower fetching there finds the
 * batch instead of a trailing gap it could not step over until the next append.
 *
 * <p>Not thread-safe: each cleaner thread owns one, with its buffers and key map.
 */
final class Cleaner {
  /** The outcome of a cleaning; {@code tombstoneHorizonMs} is when the next cleaning may drop a kept tombstone. */
  record Result(long cleanedUpToOffset, long bytesRead, long bytesWritten, long tombstoneHorizonMs) {}

  private final long dedupeBufferBytes;
  private final double loadFactor;
  private final int ioBufferBytes;
  private final IoThrottle throttle;
  private final Consumer<LocalLog.SwapStep> afterSwapStep;
  private final CRC32C crc = new CRC32C();

  /** {@code afterSwapStep} hears each step of each swap: tests crash there. */
  Cleaner(long dedupeBufferBytes, double loadFactor, int ioBufferBytes, IoThrottle throttle,
      Consumer<LocalLog.SwapStep> afterSwapStep) {
    this.dedupeBufferBytes = dedupeBufferBytes;
    this.loadFactor = loadFactor;
    this.ioBufferBytes = ioBufferBytes;
    this.throttle = throttle;
    this.afterSwapStep = afterSwapStep;
  }

  /** Cleans {@code log} up to {@code toClean.firstUncleanableOffset()} (or less if the keys do not all fit). */
  Result clean(PartitionLog log, LogToClean toClean, long nowMs) throws IOException, InterruptedException {
    PartitionLog.CleanerView view = log.cleanerView();
    List<LogSegment> segments = view.segments();
    OffsetMap map = new OffsetMap(dedupeBufferBytes, loadFactor, toClean.firstUncleanableOffset() - toClean.firstDirtyOffset());
    long readBytes = 0;
    // With nothing dirty to map (tombstones due in the clean part), the clean part is rewritten alone.
    long mappedEnd = toClean.firstDirtyOffset();
    boolean mappedAny = false;
    for (int i = 0; i + 1 < segments.size(); i++) {
      LogSegment segment = segments.get(i);
      long endOffset = segments.get(i + 1).baseOffset();
      if (endOffset <= toClean.firstDirtyOffset()) {
        continue;
      }
      if (endOffset > toClean.firstUncleanableOffset()) {
        break;
      }
      if (mappedAny && !map.hasRoomFor(endOffset - segment.baseOffset())) {
        break;
      }
      readBytes += mapKeys(segment, map);
      mappedEnd = endOffset;
      mappedAny = true;
    }
    List<SegmentInfo> toRewrite = new ArrayList<>();
    List<LogSegment> rewritten = new ArrayList<>();
    for (int i = 0; i < segments.size() && segments.get(i).baseOffset() < mappedEnd; i++) {
      toRewrite.add(view.segmentInfos().get(i));
      rewritten.add(segments.get(i));
    }
    if (rewritten.isEmpty()) {
      return new Result(toClean.firstDirtyOffset(), 0, 0, Long.MAX_VALUE);
    }
    long writtenBytes = 0;
    long horizonMs = Long.MAX_VALUE;
    int next = 0;
    for (List<SegmentInfo> group : LogToClean.groupBySize(toRewrite, view.config().segmentBytes())) {
      List<LogSegment> sources = rewritten.subList(next, next + group.size());
      next += group.size();
      LogSegment cleaned = LogSegment.createCleaned(view.dir(), sources.get(0).baseOffset(),
          view.config().segmentIndexBytes(), nowMs);
      Filter filter = new Filter(map, view.producerLastOffsets(), segments.get(segments.size() - 1).baseOffset() - 1,
          nowMs, view.config().cleanup().deleteRetentionMs());
      long[] written;
      try {
        written = writeCleaned(sources, cleaned, filter, view.config().indexIntervalBytes(), nowMs);
      } catch (IOException | RuntimeException | InterruptedException e) {
        cleaned.closeAndDelete();
        throw e;
      }
      readBytes += written[0];
      writtenBytes += written[1];
      horizonMs = Math.min(horizonMs, filter.earliestHorizonMs);
      if (!log.replaceSegments(List.copyOf(sources), cleaned, afterSwapStep)) {
        // The log changed under the cleaner (truncated, retention, closed): try again later.
        return new Result(toClean.firstDirtyOffset(), readBytes, writtenBytes, Long.MAX_VALUE);
      }
    }
    log.checkpointCleanedUpTo(mappedEnd);
    return new Result(mappedEnd, readBytes, writtenBytes, horizonMs);
  }

  /** Puts every keyed record of {@code segment} into {@code map}; returns the bytes read. */
  private long mapKeys(LogSegment segment, OffsetMap map) throws IOException, InterruptedException {
    long read = 0;
    for (MemoryRecords chunk = readChunk(segment, segment.baseOffset()); chunk != null;
        chunk = readChunk(segment, nextOffsetAfter(chunk))) {
      throttle.acquire(chunk.sizeInBytes());
      read += chunk.sizeInBytes();
      for (MutableRecordBatch batch : chunk.batches()) {
        if (batch.isControlBatch()) {
          continue;
        }
        for (Record record : batch) {
          if (record.hasKey()) {
            if (!map.hasRoomFor(1) && map.get(record.key()) < 0) {
              throw new IllegalStateException("log.cleaner.dedupe.buffer.size holds " + map.maxEntries()
                  + " keys, too few for one segment of " + segment);
            }
            map.put(record.key(), record.offset());
          }
        }
      }
    }
    return read;
  }

  /** Appends the kept batches of {@code sources} to {@code cleaned}; returns {bytes read, bytes written}. */
  private long[] writeCleaned(List<LogSegment> sources, LogSegment cleaned, Filter filter, int indexIntervalBytes,
      long nowMs) throws IOException, InterruptedException {
    long read = 0;
    long written = 0;
    ByteBuffer outBuffer = ByteBuffer.allocate(ioBufferBytes);
    for (LogSegment source : sources) {
      for (MemoryRecords chunk = readChunk(source, source.baseOffset()); chunk != null;
          chunk = readChunk(source, nextOffsetAfter(chunk))) {
        throttle.acquire(chunk.sizeInBytes());
        read += chunk.sizeInBytes();
        outBuffer.clear();
        if (outBuffer.capacity() < chunk.sizeInBytes()) {
          outBuffer = ByteBuffer.allocate(chunk.sizeInBytes());
        }
        // filterTo grows the buffer it was given when a rewritten batch comes out larger.
        outBuffer = chunk.filterTo(filter, outBuffer, BufferSupplier.NO_CACHING).outputBuffer();
        outBuffer.flip();
        if (outBuffer.hasRemaining()) {
          MemoryRecords kept = MemoryRecords.readableRecords(outBuffer);
          filter.noteHorizons(kept);
          throttle.acquire(kept.sizeInBytes());
          written += kept.sizeInBytes();
          cleaned.append(kept, indexIntervalBytes, nowMs);
        }
      }
    }
    return new long[] {read, written};
  }

  /** The batches of {@code segment} from {@code offset}, up to an I/O buffer's worth; null at its end. */
  private MemoryRecords readChunk(LogSegment segment, long offset) throws IOException {
    return segment.read(offset, ioBufferBytes, Long.MAX_VALUE, crc).orElse(null);
  }

  private static long nextOffsetAfter(MemoryRecords chunk) {
    long next = -1;
    for (MutableRecordBatch batch : chunk.batches()) {
      next = batch.lastOffset() + 1;
    }
    return next;
  }

  /** Kafka's compaction rules as a filterTo filter. */
  private static final class Filter extends MemoryRecords.RecordFilter {
    private final OffsetMap map;
    private final Map<Long, Long> producerLastOffsets;
    private final long lastOffsetBelowActive;
    private long earliestHorizonMs = Long.MAX_VALUE;

    Filter(OffsetMap map, Map<Long, Long> producerLastOffsets, long lastOffsetBelowActive, long nowMs,
        long deleteRetentionMs) {
      super(nowMs, deleteRetentionMs);
      this.map = map;
      this.producerLastOffsets = producerLastOffsets;
      this.lastOffsetBelowActive = lastOffsetBelowActive;
    }

    @Override
    protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
      boolean producersLast = batch.hasProducerId()
          && producerLastOffsets.getOrDefault(batch.producerId(), -1L) == batch.lastOffset();
      boolean keep = producersLast || batch.lastOffset() == lastOffsetBelowActive;
      return new BatchRetentionResult(keep ? BatchRetention.RETAIN_EMPTY : BatchRetention.DELETE_EMPTY, false);
    }

    @Override
    protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
      if (!record.hasKey()) {
        return false;
      }
      long latest = map.get(record.key());
      if (latest > record.offset()) {
        return false;
      }
      return record.hasValue() || batch.deleteHorizonMs().isEmpty() || currentTime < batch.deleteHorizonMs().getAsLong();
    }

    /**
     * Notes when the next cleaning may drop a tombstone of {@code kept}. A batch keeps its delete
     * horizon after its tombstones went; counting it would make the log due again at once, forever.
     */
    void noteHorizons(MemoryRecords kept) {
      for (MutableRecordBatch batch : kept.batches()) {
        if (batch.deleteHorizonMs().isPresent() && holdsTombstone(batch)) {
          earliestHorizonMs = Math.min(earliestHorizonMs, batch.deleteHorizonMs().getAsLong());
        }
      }
    }

    private static boolean holdsTombstone(RecordBatch batch) {
      for (Record record : batch) {
        if (!record.hasValue()) {
          return true;
        }
      }
      return false;
    }
  }
}
