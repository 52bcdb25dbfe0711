package io.vltava.security;

/**
 * A rate per second over a sliding window of {@code samples} samples of {@code sampleWindowMs}
 * each, as Kafka's quota sensors measure it (SampledStat and Rate): the values recorded in the
 * samples still in the window, divided by the time they span — at least {@code samples - 1} full
 * sample windows, so that one burst on a fresh sensor is not taken for a huge rate.
 * Not thread-safe: callers hold its lock.
 */
public final class WindowedRate {
  private final int samples;
  private final long sampleWindowMs;
  private final double[] values;
  private final long[] startsMs;
  private int current;

  public WindowedRate(int samples, long sampleWindowMs) {
    if (samples < 2 || sampleWindowMs <= 0) {
      throw new IllegalArgumentException("a rate needs at least 2 samples of a positive length");
    }
    this.samples = samples;
    this.sampleWindowMs = sampleWindowMs;
    this.values = new double[samples];
    this.startsMs = new long[samples];
    java.util.Arrays.fill(startsMs, Long.MIN_VALUE);
  }

  public void record(double value, long nowMs) {
    if (startsMs[current] == Long.MIN_VALUE || nowMs >= startsMs[current] + sampleWindowMs) {
      current = (current + 1) % samples;
      startsMs[current] = nowMs;
      values[current] = 0;
    }
    values[current] += value;
  }

  /** Per second, over the samples that have not expired at {@code nowMs}. */
  public double ratePerSecond(long nowMs) {
    double total = 0;
    for (int i = 0; i < samples; i++) {
      if (live(i, nowMs)) {
        total += values[i];
      }
    }
    return total * 1000.0 / windowMs(nowMs);
  }

  /**
   * How long the client must wait for the rate to come back to {@code quotaPerSecond} (Kafka's
   * throttle time: the excess over the quota, as a share of the quota, times the window), at most
   * the whole window; 0 within the quota.
   */
  public long throttleMs(double quotaPerSecond, long nowMs) {
    return throttleMs(quotaPerSecond, nowMs, (long) samples * sampleWindowMs);
  }

  /** As {@link #throttleMs(double, long)}, at most {@code maxThrottleMs}. */
  public long throttleMs(double quotaPerSecond, long nowMs, long maxThrottleMs) {
    double rate = ratePerSecond(nowMs);
    if (rate <= quotaPerSecond) {
      return 0;
    }
    long throttleMs = Math.round((rate - quotaPerSecond) / quotaPerSecond * windowMs(nowMs));
    return Math.min(throttleMs, maxThrottleMs);
  }

  private boolean live(int sample, long nowMs) {
    return startsMs[sample] != Long.MIN_VALUE && nowMs - startsMs[sample] < (long) samples * sampleWindowMs;
  }

  /** The time the live samples span, and at least {@code samples - 1} sample windows. */
  private long windowMs(long nowMs) {
    long oldestStartMs = nowMs;
    for (int i = 0; i < samples; i++) {
      if (live(i, nowMs)) {
        oldestStartMs = Math.min(oldestStartMs, startsMs[i]);
      }
    }
    return Math.max(nowMs - oldestStartMs, (samples - 1) * sampleWindowMs);
  }
}
