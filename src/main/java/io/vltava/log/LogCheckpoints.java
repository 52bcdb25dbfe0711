package io.vltava.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The one-offset checkpoint files of a log directory — {@code log-start-offset},
 * {@code recovery-point}, {@code high-watermark}, {@code cleaner-offset-checkpoint} (where the log
 * cleaner's last cleaning ended) — and the {@code clean-shutdown} marker.
 * Invariant: a checkpoint file holds the last offset written through this class, or is absent or
 * torn (read back as empty). Each write replaces its file atomically ({@link CheckpointFile}).
 * The leader-epoch cache and the producer-state snapshot keep their own files.
 *
 * <p>Not thread-safe: the log's writer owns it (the cleaner writes its checkpoint under the log's lock).
 */
final class LogCheckpoints {
  static final String CLEAN_SHUTDOWN_FILE = "clean-shutdown";
  static final String LOG_START_OFFSET_FILE = "log-start-offset";
  static final String RECOVERY_POINT_FILE = "recovery-point";
  static final String HIGH_WATERMARK_FILE = "high-watermark";
  static final String CLEANER_OFFSET_FILE = "cleaner-offset-checkpoint";

  private final Path dir;
  private final CheckpointFile logStartOffset;
  private final CheckpointFile recoveryPoint;
  private final CheckpointFile highWatermark;
  private final CheckpointFile cleanerOffset;

  LogCheckpoints(Path dir) {
    this.dir = dir;
    this.logStartOffset = new CheckpointFile(dir.resolve(LOG_START_OFFSET_FILE));
    this.recoveryPoint = new CheckpointFile(dir.resolve(RECOVERY_POINT_FILE));
    this.highWatermark = new CheckpointFile(dir.resolve(HIGH_WATERMARK_FILE));
    this.cleanerOffset = new CheckpointFile(dir.resolve(CLEANER_OFFSET_FILE));
  }

  /**
   * Whether the log was closed cleanly last time. Removes the marker before anything is loaded,
   * so a crash from now on is detected by the next open.
   */
  boolean takeCleanShutdownMarker() throws IOException {
    boolean cleanShutdown = Files.deleteIfExists(dir.resolve(CLEAN_SHUTDOWN_FILE));
    if (cleanShutdown) {
      // Without a marker there is nothing to make durable: a crash cannot bring back a file never there.
      CheckpointFile.fsyncDirectory(dir);
    }
    return cleanShutdown;
  }

  /**
   * Written last by a clean close: everything else is on disk. Its directory fsync also makes
   * durable the renames written just before it with {@link CheckpointFile#writeBeforeDirectorySync}.
   */
  void writeCleanShutdownMarker() throws IOException {
    Files.createFile(dir.resolve(CLEAN_SHUTDOWN_FILE));
    CheckpointFile.fsyncDirectory(dir);
  }

  Optional<Long> logStartOffset() throws IOException {
    return readOffset(logStartOffset);
  }

  void writeLogStartOffset(long offset) throws IOException {
    writeOffset(logStartOffset, offset);
  }

  Optional<Long> recoveryPoint() throws IOException {
    return readOffset(recoveryPoint);
  }

  void writeRecoveryPoint(long offset) throws IOException {
    writeOffset(recoveryPoint, offset);
  }

  Optional<Long> highWatermark() throws IOException {
    return readOffset(highWatermark);
  }

  void writeHighWatermark(long offset) throws IOException {
    writeOffset(highWatermark, offset);
  }

  /** Where the last cleaning of a compacted log ended: its first dirty offset. */
  Optional<Long> cleanerOffset() throws IOException {
    return readOffset(cleanerOffset);
  }

  void writeCleanerOffset(long offset) throws IOException {
    writeOffset(cleanerOffset, offset);
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
}
