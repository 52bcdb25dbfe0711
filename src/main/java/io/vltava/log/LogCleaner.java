package io.vltava.log;

import java.io.IOException;
import java.time.Clock;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's background log cleaner (Kafka's LogCleaner and LogCleanerManager): a fixed pool of
 * {@code log.cleaner.threads} threads of its own (blocking file I/O, never on a Pekko dispatcher),
 * each repeatedly taking the compacted log with the highest dirty ratio that {@link LogToClean}
 * says should be cleaned and no other thread is cleaning, and cleaning it; when none needs it, a
 * thread waits {@code log.cleaner.backoff.ms}. The logs come from {@code logs}, asked afresh each
 * time, so a log that closes or stops compacting simply drops out.
 *
 * <p>Each replica (leader or follower) cleans its own log: the result depends only on the log's
 * records, its high watermark and the clock, so replicas converge to the same records.
 *
 * <p>Thread-safe.
 */
public final class LogCleaner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LogCleaner.class);

  /** A log the cleaner may clean, with its high watermark now (nothing above it is cleaned). */
  public record Candidate(String name, PartitionLog log, long highWatermark) {}

  private final CleanerConfig config;
  private final Supplier<Collection<Candidate>> logs;
  private final Clock clock;
  private final IoThrottle throttle;
  private final ExecutorService threads;
  private final Set<PartitionLog> inProgress = ConcurrentHashMap.newKeySet();
  /** When each log's earliest kept tombstone may go; only this cleaner's own passes set it. */
  private final Map<PartitionLog, Long> tombstoneHorizonsMs = new ConcurrentHashMap<>();
  private final Object idle = new Object();
  private volatile boolean stopped;

  public LogCleaner(CleanerConfig config, Supplier<Collection<Candidate>> logs, Clock clock) {
    this.config = config;
    this.logs = logs;
    this.clock = clock;
    this.throttle = IoThrottle.of(config.ioMaxBytesPerSecond());
    AtomicInteger threadNumber = new AtomicInteger();
    this.threads = Executors.newFixedThreadPool(config.threads(), task -> {
      Thread thread = new Thread(task, "vltava-log-cleaner-" + threadNumber.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  public void start() {
    if (!config.enabled()) {
      return;
    }
    long mapBytesPerThread = config.dedupeBufferBytes() / config.threads();
    for (int i = 0; i < config.threads(); i++) {
      threads.execute(() -> run(new Cleaner(mapBytesPerThread, config.loadFactor(), config.ioBufferBytes(), throttle,
          step -> { })));
    }
  }

  public CleanerConfig config() {
    return config;
  }

  /** Sets what all cleaner threads together read and write per second (log.cleaner.io.max.bytes.per.second). */
  public void ioMaxBytesPerSecond(double bytesPerSecond) {
    throttle.rate(bytesPerSecond);
  }

  /** Wakes idle threads to look for work now (a test, or a config change). */
  public void wakeUp() {
    synchronized (idle) {
      idle.notifyAll();
    }
  }

  private void run(Cleaner cleaner) {
    while (!stopped) {
      boolean cleaned;
      try {
        cleaned = cleanFilthiest(cleaner);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.error("log cleaner thread failed; it goes on with other logs", e);
        cleaned = false;
      }
      if (!cleaned) {
        synchronized (idle) {
          try {
            if (!stopped) {
              idle.wait(Math.max(1, config.backoffMs()));
            }
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    }
  }

  /** Cleans the log that needs it most; false if none does. */
  boolean cleanFilthiest(Cleaner cleaner) throws InterruptedException {
    Candidate chosen = null;
    LogToClean chosenToClean = null;
    long nowMs = clock.millis();
    Collection<Candidate> candidates = logs.get();
    tombstoneHorizonsMs.keySet().retainAll(candidates.stream().map(Candidate::log).toList());
    for (Candidate candidate : candidates) {
      if (!candidate.log().config().cleanup().compact() || inProgress.contains(candidate.log())) {
        continue;
      }
      LogToClean toClean;
      try {
        toClean = toClean(candidate, nowMs);
      } catch (IllegalStateException closed) {
        continue;
      }
      if (toClean.shouldClean(candidate.log().config().cleanup().minCleanableDirtyRatio())
          && (chosenToClean == null || toClean.dirtyRatio() > chosenToClean.dirtyRatio())
          && inProgress.add(candidate.log())) {
        if (chosen != null) {
          inProgress.remove(chosen.log());
        }
        chosen = candidate;
        chosenToClean = toClean;
      }
    }
    if (chosen == null) {
      return false;
    }
    try {
      Cleaner.Result result = cleaner.clean(chosen.log(), chosenToClean, nowMs);
      tombstoneHorizonsMs.put(chosen.log(), result.tombstoneHorizonMs());
      log.debug("cleaned {} up to offset {}: read {} bytes, wrote {}", chosen.name(), result.cleanedUpToOffset(),
          result.bytesRead(), result.bytesWritten());
      return result.bytesRead() > 0;
    } catch (IOException | IllegalStateException e) {
      // A closed log (deleted topic, stopping node) or a failed disk: this pass is lost, the log is intact.
      log.warn("cleaning {} failed: {}", chosen.name(), e.toString());
      return false;
    } finally {
      inProgress.remove(chosen.log());
    }
  }

  private LogToClean toClean(Candidate candidate, long nowMs) {
    PartitionLog.CleanerView view = candidate.log().cleanerView();
    return LogToClean.of(view.segmentInfos(), view.logStartOffset(), view.cleanedUpToOffset(), candidate.highWatermark(),
        view.config().cleanup(), nowMs, tombstoneHorizonsMs.getOrDefault(candidate.log(), Long.MAX_VALUE));
  }

  @Override
  public void close() throws InterruptedException {
    stopped = true;
    wakeUp();
    threads.shutdown();
    // A thread inside a cleaning finishes its current segment group; interrupting it could close
    // a log's FileChannel under its readers (NIO closes a channel whose reader is interrupted).
    threads.awaitTermination(30, TimeUnit.SECONDS);
  }
}
