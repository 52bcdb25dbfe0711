package io.vltava.bench;

import io.vltava.log.FetchedRecords;
import io.vltava.log.LogConfig;
import io.vltava.log.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Appends batches of 1 KiB, 16 KiB and 256 KiB to a PartitionLog and compares the rate with a raw
 * FileChannel.write of the same bytes in the same run, then reads the log back sequentially.
 * Neither writer fsyncs (the log's default: leave it to the OS). Raw and log runs alternate in
 * {@value #ROUNDS} rounds (the page cache's writeback otherwise favours whichever runs second), and
 * the median round is reported. Usage: LogBenchmark [MiB per batch size].
 */
public final class LogBenchmark {
  private static final int RECORD_BYTES = 1024;
  private static final int ROUNDS = 3;

  public static void main(String[] args) throws IOException {
    long totalBytes = (args.length > 0 ? Long.parseLong(args[0]) : 1024L) * 1024 * 1024;
    Path root = Files.createTempDirectory("vltava-log-bench");
    System.out.printf("%d MiB per batch size, data in %s, %d cores%n%n", totalBytes >> 20, root,
        Runtime.getRuntime().availableProcessors());
    System.out.println("| batch | raw FileChannel.write MB/s | PartitionLog append MB/s | append / raw | sequential read MB/s |");
    System.out.println("|---|---|---|---|---|");
    try {
      for (int batchBytes : new int[] {1024, 16 * 1024, 256 * 1024}) {
        run(root, batchBytes, totalBytes / 8); // warm-up: JIT and page cache
        List<Result> rounds = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
          rounds.add(run(root, batchBytes, totalBytes / ROUNDS));
        }
        Result r = new Result(median(rounds, Result::rawMBps), median(rounds, Result::appendMBps),
            median(rounds, Result::readMBps));
        System.out.printf("| %d KiB | %.0f | %.0f | %.0f%% | %.0f |%n", batchBytes / 1024, r.rawMBps, r.appendMBps,
            100 * r.appendMBps / r.rawMBps, r.readMBps);
      }
    } finally {
      deleteRecursively(root);
    }
  }

  private record Result(double rawMBps, double appendMBps, double readMBps) {}

  private static Result run(Path root, int batchBytes, long totalBytes) throws IOException {
    MemoryRecords batch = batchOf(batchBytes);
    long batches = totalBytes / batch.sizeInBytes();

    Path rawFile = root.resolve("raw.bin");
    long start = System.nanoTime();
    try (FileChannel ch = FileChannel.open(rawFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      for (long i = 0; i < batches; i++) {
        ByteBuffer buf = batch.buffer();
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      }
    }
    double rawMBps = mbPerSecond(batches * batch.sizeInBytes(), System.nanoTime() - start);
    Files.delete(rawFile);

    Path dir = root.resolve("log");
    double appendMBps;
    double readMBps;
    try (PartitionLog log = PartitionLog.open(dir, LogConfig.defaults(), Clock.systemUTC())) {
      start = System.nanoTime();
      for (long i = 0; i < batches; i++) {
        log.appendAsLeader(batch, 0); // rewrites the offsets in place, as a produce request's batch
      }
      appendMBps = mbPerSecond(batches * batch.sizeInBytes(), System.nanoTime() - start);

      start = System.nanoTime();
      long offset = 0;
      long readBytes = 0;
      while (offset < log.logEndOffset()) {
        FetchedRecords fetched = log.read(offset, 1024 * 1024, Long.MAX_VALUE);
        MemoryRecords records = (MemoryRecords) fetched.records();
        readBytes += records.sizeInBytes();
        offset = lastOffset(records) + 1;
      }
      readMBps = mbPerSecond(readBytes, System.nanoTime() - start);
    }
    deleteRecursively(dir);
    return new Result(rawMBps, appendMBps, readMBps);
  }

  /** The last offset of the last batch, read from its header (base offset + lastOffsetDelta). */
  private static long lastOffset(MemoryRecords records) {
    ByteBuffer buf = records.buffer();
    int pos = buf.position();
    long last = -1;
    while (pos < buf.limit()) {
      last = buf.getLong(pos) + buf.getInt(pos + 23);
      pos += buf.getInt(pos + 8) + 12;
    }
    return last;
  }

  private static MemoryRecords batchOf(int batchBytes) {
    int count = Math.max(1, batchBytes / RECORD_BYTES);
    int valueBytes = batchBytes / count - 24; // record framing; the batch adds a 61-byte header
    SimpleRecord[] records = new SimpleRecord[count];
    byte[] value = new byte[valueBytes];
    for (int i = 0; i < count; i++) {
      records[i] = new SimpleRecord(System.currentTimeMillis(), value);
    }
    return MemoryRecords.withRecords(Compression.NONE, records);
  }

  private static double median(List<Result> rounds, ToDoubleFunction<Result> metric) {
    return rounds.stream().mapToDouble(metric).sorted().toArray()[rounds.size() / 2];
  }

  private static double mbPerSecond(long bytes, long nanos) {
    return bytes / 1e6 / (nanos / 1e9);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
