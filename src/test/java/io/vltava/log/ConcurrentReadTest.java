package io.vltava.log;

import static io.vltava.log.LogTestSupport.batch;
import static io.vltava.log.LogTestSupport.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.log.LogTestSupport.ManualClock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers racing the single writer — appending, and deleting old segments — see only whole, valid
 * batches below the log end offset they read, or OffsetOutOfRange for offsets deleted under them.
 */
class ConcurrentReadTest {
  @TempDir Path dir;

  @Test
  void readersNeverSeeAPartialBatch() throws Exception {
    ManualClock clock = new ManualClock(0);
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (PartitionLog log = PartitionLog.open(dir, config(8 * 1024, 512), clock)) {
      List<Future<Long>> readers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        readers.add(pool.submit(() -> {
          long batchesSeen = 0;
          while (!done.get() || batchesSeen == 0) {
            long end = log.logEndOffset();
            long from = end == 0 ? 0 : (batchesSeen * 7919) % end;
            FetchedRecords fetched;
            try {
              fetched = log.read(Math.max(from, log.logStartOffset()), 4096, Long.MAX_VALUE);
            } catch (OffsetOutOfRangeException deletedMeanwhile) {
              continue;
            }
            long expectedBase = -1;
            for (RecordBatch b : fetched.records().batches()) {
              b.ensureValid();
              assertTrue(b.lastOffset() < fetched.logEndOffset());
              assertTrue(expectedBase < 0 || b.baseOffset() == expectedBase, "contiguous offsets");
              assertEquals(b.baseOffset() + b.countOrNull() - 1, b.lastOffset());
              expectedBase = b.lastOffset() + 1;
              batchesSeen++;
            }
          }
          return batchesSeen;
        }));
      }
      for (int i = 0; i < 3000; i++) {
        log.appendAsLeader(batch(i, "a" + i, "b" + i, "c".repeat(i % 200)), 0);
        if (i % 300 == 299) {
          log.deleteRecordsBefore(log.logEndOffset() - 200);
        }
        if (i % 100 == 99) {
          log.runMaintenance(); // seals rolled segments while readers use them
        }
      }
      done.set(true);
      for (Future<Long> reader : readers) {
        assertTrue(reader.get() > 0);
      }
      assertEquals(9000, log.logEndOffset());
    } finally {
      pool.shutdownNow();
    }
  }
}
