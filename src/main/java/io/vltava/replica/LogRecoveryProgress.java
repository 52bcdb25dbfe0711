package io.vltava.replica;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;

/**
 * Progress of the start-up recovery of a node's partition logs: the partitions whose logs were on
 * disk when the node first saw the cluster's metadata are expected once ({@link #expect}); each
 * then starts and finishes opening (loading, and after a crash recovering, its segments) on its
 * own actor. Produces the log lines ("Recovering partition 12 of 340: orders-3, 2 segments,
 * 35.0 MB" and a summary with the duration) and the count still to go. Thread-safe.
 */
public final class LogRecoveryProgress {

  /** What recovery has done so far: partitions expected, finished, and bytes of the started ones. */
  public record Snapshot(int total, int finished, long bytesStarted, boolean complete) {
    public int remaining() {
      return total - finished;
    }
  }

  private final LongSupplier nanoTime;
  private Set<TopicPartition> pending;
  private int total;
  private int started;
  private int finished;
  private long bytesStarted;
  private int segmentsStarted;
  private long startNanos;

  public LogRecoveryProgress(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** Whether the partitions to recover are known yet. */
  public synchronized boolean expecting() {
    return pending != null;
  }

  /** The partitions whose logs the node found on disk; only the first call counts. Empty: nothing to recover. */
  public synchronized Optional<String> expect(Collection<TopicPartition> partitions) {
    if (pending != null) {
      return Optional.empty();
    }
    pending = new HashSet<>(partitions);
    total = pending.size();
    startNanos = nanoTime.getAsLong();
    return total == 0 ? Optional.empty() : Optional.of("Recovering the logs of " + total + " partitions");
  }

  /** Whether {@code partition} is one of the logs to recover and has not finished yet. */
  public synchronized boolean expects(TopicPartition partition) {
    return pending != null && pending.contains(partition);
  }

  /** {@code partition} starts opening its log of {@code segments} segment files holding {@code bytes}; empty if not expected. */
  public synchronized Optional<String> started(TopicPartition partition, int segments, long bytes) {
    if (pending == null || !pending.contains(partition)) {
      return Optional.empty();
    }
    started++;
    segmentsStarted += segments;
    bytesStarted += bytes;
    return Optional.of(String.format(Locale.ROOT, "Recovering partition %d of %d: %s, %d segments, %s",
        started, total, partition, segments, humanBytes(bytes)));
  }

  /** {@code partition} has opened its log (or failed to, and went offline); the summary once all have. */
  public synchronized Optional<String> finished(TopicPartition partition) {
    if (pending == null || !pending.remove(partition)) {
      return Optional.empty();
    }
    finished++;
    if (!pending.isEmpty()) {
      return Optional.empty();
    }
    Duration took = Duration.ofNanos(nanoTime.getAsLong() - startNanos);
    return Optional.of(String.format(Locale.ROOT, "Recovered the logs of %d partitions (%d segments, %s) in %.1f s",
        total, segmentsStarted, humanBytes(bytesStarted), took.toMillis() / 1000.0));
  }

  public synchronized Snapshot snapshot() {
    return new Snapshot(total, finished, bytesStarted, pending != null && pending.isEmpty());
  }

  /** The segment files ({@code *.log}) in a partition directory and their bytes; none if it does not exist. */
  public static SegmentFiles segmentFiles(Path partitionDir) {
    if (!Files.isDirectory(partitionDir)) {
      return new SegmentFiles(0, 0);
    }
    try (Stream<Path> files = Files.list(partitionDir)) {
      long[] countAndBytes = new long[2];
      files.filter(f -> f.getFileName().toString().endsWith(".log")).forEach(f -> {
        countAndBytes[0]++;
        try {
          countAndBytes[1] += Files.size(f);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      return new SegmentFiles((int) countAndBytes[0], countAndBytes[1]);
    } catch (IOException | UncheckedIOException e) {
      return new SegmentFiles(0, 0); // only for the progress line; opening the log reports the real problem
    }
  }

  public record SegmentFiles(int count, long bytes) {}

  /** Bytes for people: 35.0 MB, 1.2 GB (powers of 1024, as Kafka's tools print them). */
  static String humanBytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KB", "MB", "GB", "TB", "PB", "EB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
