package io.vltava.security;

/**
 * A token bucket for partition mutations (KIP-599), as Kafka's quota sensors keep it: it holds at
 * most {@code burst = quota × window} tokens, refills at the quota per second, and each mutation
 * recorded takes a token. The count may go below zero; the client is over its quota while it is,
 * and must wait {@code -tokens / quota} seconds for it to come back to zero. A new bucket is full.
 * Not thread-safe: callers hold its lock.
 */
public final class TokenBucket {
  private final long windowMs;
  private double tokens;
  private long lastUpdateMs = Long.MIN_VALUE;

  public TokenBucket(long windowMs) {
    if (windowMs <= 0) {
      throw new IllegalArgumentException("a token bucket needs a positive window");
    }
    this.windowMs = windowMs;
  }

  /** The tokens left at {@code nowMs} for a quota of {@code quotaPerSecond}. */
  public double tokens(double quotaPerSecond, long nowMs) {
    refill(quotaPerSecond, nowMs);
    return tokens;
  }

  /** Takes {@code value} tokens (a negative value gives them back, never above the burst). */
  public void record(double value, double quotaPerSecond, long nowMs) {
    refill(quotaPerSecond, nowMs);
    tokens = Math.min(burst(quotaPerSecond), tokens - value);
  }

  /** How long until the bucket is back to zero tokens; 0 while it is not below zero. */
  public long throttleMs(double quotaPerSecond, long nowMs) {
    double left = tokens(quotaPerSecond, nowMs);
    return left >= 0 ? 0 : Math.round(-left / quotaPerSecond * 1000);
  }

  private void refill(double quotaPerSecond, long nowMs) {
    if (lastUpdateMs == Long.MIN_VALUE) {
      tokens = burst(quotaPerSecond);
    } else {
      tokens = Math.min(burst(quotaPerSecond), tokens + quotaPerSecond * Math.max(0, nowMs - lastUpdateMs) / 1000.0);
    }
    lastUpdateMs = Math.max(nowMs, lastUpdateMs);
  }

  private double burst(double quotaPerSecond) {
    return quotaPerSecond * windowMs / 1000.0;
  }
}
