package io.vltava.log;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Utils;

/**
 * Loads a log directory and recovers it after a crash (Kafka's LogLoader): completes an
 * interrupted swap of cleaned segments, opens the segments, trusts those below the recovery point
 * (or all, after a clean shutdown), re-validates the rest, cuts the log at the first invalid batch
 * and deletes what follows, then brings the leader-epoch cache and the producer state in line with
 * the batches that remain. The result satisfies {@link PartitionLog}'s invariants.
 *
 * <p>Stateless; runs once per open, before the log is shared with any reader.
 */
final class LogLoader {
  private LogLoader() {}

  /** A loaded log's parts, for PartitionLog to compose. */
  record LoadedLog(LocalLog local, LeaderEpochCache epochCache, ProducerStateManager producerState) {}

  static LoadedLog load(Path dir, LogConfig config, Clock clock, LogCheckpoints checkpoints, boolean cleanShutdown)
      throws IOException {
    long checkpointedStart = checkpoints.logStartOffset().orElse(0L);
    long recoveryPoint = cleanShutdown ? Long.MAX_VALUE : checkpoints.recoveryPoint().orElse(0L);
    long nowMs = clock.millis();
    completeSwaps(dir, config, nowMs);
    List<Long> baseOffsets = plainSegmentBaseOffsets(dir);
    LogSegments segments = new LogSegments();
    boolean recovered = false;
    boolean truncated = false;
    for (int i = 0; i < baseOffsets.size(); i++) {
      long baseOffset = baseOffsets.get(i);
      LogSegment segment = LogSegment.open(dir, baseOffset, config.segmentIndexBytes(), nowMs);
      if (truncated || (!segments.isEmpty() && baseOffset < segments.active().nextOffset())) {
        // After a cut (or an overlap), later segments cannot continue the valid prefix.
        segment.closeAndDelete();
        continue;
      }
      boolean wasFlushed = i + 1 < baseOffsets.size() && baseOffsets.get(i + 1) <= recoveryPoint;
      int truncatedBytes = wasFlushed || cleanShutdown
          ? segment.loadTrusted(config.indexIntervalBytes(), config.cleanup().compact())
          : segment.recover(config.indexIntervalBytes(), config.cleanup().compact());
      boolean rebuilt = !(wasFlushed || cleanShutdown);
      if (truncatedBytes > 0) {
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
      segments.add(segment);
    }
    if (segments.isEmpty()) {
      segments.add(LogSegment.create(dir, checkpointedStart, config.segmentIndexBytes(), nowMs));
    }
    LocalLog local = new LocalLog(dir, config, clock, checkpoints, segments,
        Math.max(checkpointedStart, segments.first().baseOffset()));
    LeaderEpochCache epochCache = LeaderEpochCache.load(dir, local::logEndOffset);
    ProducerStateManager producerState = new ProducerStateManager(dir);
    if (local.logStartOffset() > local.logEndOffset()) {
      // The suffix holding the log start was lost in a crash; nothing below it may reappear.
      local.truncateFullyAndStartAt(local.logStartOffset());
      epochCache.clear();
      producerState.clear();
    }
    if (epochCache.isEmpty()) {
      rebuildEpochCache(segments, epochCache);
    }
    epochCache.truncateFromEnd(local.logEndOffset());
    epochCache.truncateFromStart(local.logStartOffset());
    if (!producerState.loadSnapshot(local.logEndOffset()) || !cleanShutdown) {
      rebuildProducerState(segments, producerState);
    }
    producerState.retireBelow(local.logStartOffset());
    if (recovered || !cleanShutdown) {
      local.checkpointRecoveryPoint();
    }
    return new LoadedLog(local, epochCache, producerState);
  }

  /**
   * Makes an interrupted segment swap whole (see LocalLog#replaceSegments). Leftovers of cleaning
   * (".cleaned"), of replaced segments (".deleted") and of checkpoint writes (".tmp") are deleted.
   * A ".swap" log file was fsynced whole before it got that name, so the swap is completed: the
   * segments in its offset range (and any at its base offset) are deleted and it takes its plain
   * name. Its indexes are deleted too, to be rebuilt: a crash may have left them under either name.
   */
  private static void completeSwaps(Path dir, LogConfig config, long nowMs) throws IOException {
    List<Path> swapLogFiles = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (name.endsWith(".tmp") || name.endsWith(LogSegment.CLEANED_SUFFIX)
            || name.endsWith(LogSegment.DELETED_SUFFIX)) {
          Files.deleteIfExists(file);
        } else if (LogSegment.isSwapLogFile(file)) {
          swapLogFiles.add(file);
        }
      }
    }
    for (Path swapLogFile : swapLogFiles) {
      long baseOffset = LogSegment.baseOffsetOf(swapLogFile);
      LogSegment swap = LogSegment.open(dir, baseOffset, LogSegment.SWAP_SUFFIX, config.segmentIndexBytes(), nowMs);
      swap.recover(config.indexIntervalBytes(), true); // to learn where it ends; a cleaned segment has gaps
      long endOffset = Math.max(swap.nextOffset(), baseOffset + 1);
      swap.close();
      for (String indexSuffix : List.of(LogSegment.INDEX_SUFFIX, LogSegment.TIME_INDEX_SUFFIX)) {
        Files.deleteIfExists(dir.resolve(LogSegment.fileName(baseOffset, indexSuffix) + LogSegment.SWAP_SUFFIX));
      }
      for (long replaced : plainSegmentBaseOffsets(dir)) {
        if (replaced >= baseOffset && replaced < endOffset) {
          for (String suffix : List.of(LogSegment.LOG_SUFFIX, LogSegment.INDEX_SUFFIX, LogSegment.TIME_INDEX_SUFFIX)) {
            Files.deleteIfExists(dir.resolve(LogSegment.fileName(replaced, suffix)));
          }
        }
      }
      Utils.atomicMoveWithFallback(swapLogFile, dir.resolve(LogSegment.fileName(baseOffset, LogSegment.LOG_SUFFIX)),
          false);
      CheckpointFile.fsyncDirectory(dir);
    }
  }

  private static List<Long> plainSegmentBaseOffsets(Path dir) throws IOException {
    List<Long> baseOffsets = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        if (LogSegment.isLogFile(file)) {
          baseOffsets.add(LogSegment.baseOffsetOf(file));
        }
      }
    }
    baseOffsets.sort(Comparator.naturalOrder());
    return baseOffsets;
  }

  /** Assigns each leader epoch found in the batches its first offset. */
  private static void rebuildEpochCache(LogSegments segments, LeaderEpochCache epochCache) throws IOException {
    try {
      for (LogSegment segment : segments.all()) {
        for (RecordBatch batch : segment.batches()) {
          int epoch = batch.partitionLeaderEpoch();
          OptionalInt latest = epochCache.latestEpoch();
          if (epoch >= 0 && (latest.isEmpty() || epoch > latest.getAsInt())) {
            epochCache.assign(epoch, batch.baseOffset());
          }
        }
      }
    } catch (KafkaException e) {
      throw LogSegment.unwrapIo(e);
    }
  }

  /** Replaces the producer state with what the batches of {@code segments} say. */
  static void rebuildProducerState(LogSegments segments, ProducerStateManager producerState) throws IOException {
    producerState.clear();
    try {
      for (LogSegment segment : segments.all()) {
        for (RecordBatch batch : segment.batches()) {
          if (batch.hasProducerId()) {
            producerState.replay(batch.producerId(), batch.producerEpoch(), batch.baseSequence(),
                batch.lastSequence(), batch.baseOffset(), batch.lastOffset(), batch.maxTimestamp());
          }
        }
      }
    } catch (KafkaException e) {
      throw LogSegment.unwrapIo(e);
    }
  }
}
