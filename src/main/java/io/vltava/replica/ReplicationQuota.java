package io.vltava.replica;

import io.vltava.metadata.BrokerConfigs;

/**
 * A bytes-per-second budget for replication traffic (a broker's
 * {@code follower.replication.throttled.rate}): a token bucket that holds at most one second of
 * the rate and may go into debt by the last fetch's size, so over any period the bytes recorded
 * stay within the rate times the period plus one second's burst plus one fetch. Thread-safe: the
 * node's fetcher threads share it.
 */
final class ReplicationQuota {
  private long bytesPerSecond = BrokerConfigs.UNLIMITED;
  private double availableBytes;
  private long lastRefillMs = -1;

  /** Sets the rate; {@link BrokerConfigs#UNLIMITED} removes the limit. */
  synchronized void rate(long newBytesPerSecond) {
    if (newBytesPerSecond != bytesPerSecond) {
      bytesPerSecond = newBytesPerSecond;
      availableBytes = Math.min(availableBytes, newBytesPerSecond);
    }
  }

  synchronized boolean isLimited() {
    return bytesPerSecond != BrokerConfigs.UNLIMITED;
  }

  /** Whether the budget is spent: throttled replicas skip their fetches until it refills. */
  synchronized boolean exceeded(long nowMs) {
    refill(nowMs);
    return isLimited() && availableBytes <= 0;
  }

  synchronized void record(long bytes, long nowMs) {
    refill(nowMs);
    if (isLimited()) {
      availableBytes -= bytes;
    }
  }

  /** The most one throttled fetch should ask for: one second of the rate, at least one byte (a leader still sends a whole batch). */
  synchronized int maxFetchBytes(int unthrottledMaxBytes) {
    return (int) Math.max(1, Math.min(unthrottledMaxBytes, bytesPerSecond));
  }

  private void refill(long nowMs) {
    if (lastRefillMs >= 0 && isLimited()) {
      availableBytes = Math.min(bytesPerSecond, availableBytes + (double) bytesPerSecond * (nowMs - lastRefillMs) / 1000);
    } else if (lastRefillMs < 0) {
      availableBytes = Math.min(bytesPerSecond, Integer.MAX_VALUE);
    }
    lastRefillMs = nowMs;
  }
}
