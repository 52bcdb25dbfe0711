package io.vltava.log;

import java.util.function.LongSupplier;

/**
 * Keeps the bytes the cleaner threads read and write under {@code log.cleaner.io.max.bytes.per.second}
 * (Kafka's Throttler): callers report their I/O, and a caller that went over the rate since the
 * start of the current window sleeps until the rate is met again. Windows of 300 ms smooth bursts.
 *
 * <p>Thread-safe: shared by the cleaner threads of a node.
 */
final class IoThrottle {
  private static final long WINDOW_NANOS = 300_000_000L;

  /** Sleeps; replaced in tests. */
  interface Sleeper {
    void sleepNanos(long nanos) throws InterruptedException;
  }

  private volatile double bytesPerSecond;
  private final LongSupplier nanoTime;
  private final Sleeper sleeper;
  private long windowStartNanos;
  private long bytesInWindow;

  IoThrottle(double bytesPerSecond, LongSupplier nanoTime, Sleeper sleeper) {
    this.bytesPerSecond = bytesPerSecond;
    this.nanoTime = nanoTime;
    this.sleeper = sleeper;
    this.windowStartNanos = nanoTime.getAsLong();
  }

  static IoThrottle of(double bytesPerSecond) {
    return new IoThrottle(bytesPerSecond, System::nanoTime, nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000)));
  }

  /** Changes the rate (a dynamic broker config); the next window uses it. */
  void rate(double newBytesPerSecond) {
    bytesPerSecond = newBytesPerSecond;
  }

  boolean unlimited() {
    return bytesPerSecond >= Double.MAX_VALUE / 2;
  }

  /** Reports {@code bytes} of I/O; returns after sleeping as long as the rate requires. */
  void acquire(long bytes) throws InterruptedException {
    if (unlimited()) {
      return;
    }
    long sleepNanos;
    synchronized (this) {
      bytesInWindow += bytes;
      long now = nanoTime.getAsLong();
      long elapsed = now - windowStartNanos;
      double rate = bytesPerSecond;
      if (elapsed < WINDOW_NANOS && bytesInWindow < rate * WINDOW_NANOS / 1e9) {
        return;
      }
      long neededNanos = (long) (bytesInWindow / rate * 1e9);
      sleepNanos = Math.max(0, neededNanos - elapsed);
      windowStartNanos = now + sleepNanos;
      bytesInWindow = 0;
    }
    if (sleepNanos > 0) {
      sleeper.sleepNanos(sleepNanos);
    }
  }
}
