package io.vltava.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A sealed index's mapping: present while the segment lives, gone once it is released, never pulled from under a reader. */
class AbstractIndexTest {
  private static final long BASE_OFFSET = 1000;
  private static final int ENTRIES = 512;
  @TempDir Path dir;

  /** An index sealed (flushed and mapped) with entry i = (BASE_OFFSET + 10 i, 100 i). */
  private OffsetIndex sealedIndex(String name) throws IOException {
    OffsetIndex index = new OffsetIndex(dir.resolve(name), BASE_OFFSET, 1024 * 1024);
    for (int i = 0; i < ENTRIES; i++) {
      index.append(BASE_OFFSET + 10L * i, 100 * i);
    }
    index.seal();
    return index;
  }

  private static boolean mapped(Path file) throws IOException {
    String path = file.toAbsolutePath().toString();
    return Files.readAllLines(Paths.get("/proc/self/maps")).stream().anyMatch(line -> line.contains(path));
  }

  @Test
  void releaseUnmapsTheFileAndLeavesNoEntries() throws IOException {
    Path file = dir.resolve("00000000000000001000.index");
    OffsetIndex index = sealedIndex(file.getFileName().toString());
    assertEquals(new OffsetIndex.IndexEntry(BASE_OFFSET + 50, 500), index.lookup(BASE_OFFSET + 55));
    assertTrue(mapped(file), "a sealed index is mapped");

    index.release();
    index.deleteFile();

    assertFalse(mapped(file), "the mapping went with the release, not at some later GC");
    assertEquals(new OffsetIndex.IndexEntry(BASE_OFFSET, 0), index.lookup(BASE_OFFSET + 55),
        "a lookup after the release finds no entry and falls back to the segment's start");
  }

  @Test
  @Timeout(60)
  void readersRacingTheReleaseSeeTheEntryOrNone() throws Exception {
    int rounds = 200;
    int readerThreads = 3;
    ExecutorService pool = Executors.newFixedThreadPool(readerThreads);
    try {
      for (int round = 0; round < rounds; round++) {
        OffsetIndex index = sealedIndex("round-" + round + ".index");
        AtomicBoolean released = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(readerThreads);
        List<Future<Integer>> readers = new ArrayList<>();
        for (int r = 0; r < readerThreads; r++) {
          readers.add(pool.submit(() -> {
            started.countDown();
            int wrong = 0;
            int afterRelease = 0;
            // Reads on until 1,000 lookups after the release: each hits the mapping or, after it, nothing.
            for (int n = 0; n < 200_000 && afterRelease < 1_000; n++) {
              if (released.get()) {
                afterRelease++;
              }
              long offset = BASE_OFFSET + 10L * (n % ENTRIES) + 3;
              OffsetIndex.IndexEntry entry = index.lookup(offset);
              boolean found = entry.offset() == offset - 3 && entry.position() == 100 * (n % ENTRIES);
              boolean none = entry.offset() == BASE_OFFSET && entry.position() == 0;
              if (!found && !none) {
                wrong++;
              }
            }
            return wrong;
          }));
        }
        assertTrue(started.await(10, TimeUnit.SECONDS));
        index.release();
        released.set(true);
        for (Future<Integer> reader : readers) {
          assertEquals(0, reader.get(30, TimeUnit.SECONDS), "lookups saw neither their entry nor the empty index");
        }
        index.deleteFile();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
