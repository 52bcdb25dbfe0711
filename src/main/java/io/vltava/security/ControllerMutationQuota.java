package io.vltava.security;

/**
 * One request's view of its client's partition-mutation quota (controller_mutation_rate, KIP-599),
 * as Kafka's strict and permissive quotas behave. Strict (the request versions that can answer
 * THROTTLING_QUOTA_EXCEEDED): a mutation is refused while the client's bucket is below zero and
 * accepted, however many partitions it has, while it is not; the request is throttled only if one
 * was refused. Permissive (older versions): every mutation is accepted and counted, and the request
 * is throttled once the bucket is below zero. The bucket is shared with the client's other requests
 * and guarded by its own lock; this view is used by one request at a time.
 */
public final class ControllerMutationQuota {
  /** No quota applies: everything is accepted, nothing throttled. */
  public static final ControllerMutationQuota UNBOUNDED = new ControllerMutationQuota(null, 0, false);

  private final TokenBucket bucket;
  private final double quotaPerSecond;
  private final boolean strict;
  private long throttleMs;
  private long throttleSetAtMs;

  ControllerMutationQuota(TokenBucket bucket, double quotaPerSecond, boolean strict) {
    this.bucket = bucket;
    this.quotaPerSecond = quotaPerSecond;
    this.strict = strict;
  }

  /** Counts {@code partitions} mutations if the quota accepts them; false when a strict quota refuses them. */
  public boolean record(int partitions, long nowMs) {
    if (bucket == null) {
      return true;
    }
    synchronized (bucket) {
      if (strict && bucket.tokens(quotaPerSecond, nowMs) < 0) {
        throttle(bucket.throttleMs(quotaPerSecond, nowMs), nowMs);
        return false;
      }
      bucket.record(partitions, quotaPerSecond, nowMs);
      if (!strict && bucket.tokens(quotaPerSecond, nowMs) < 0) {
        throttle(bucket.throttleMs(quotaPerSecond, nowMs), nowMs);
      }
      return true;
    }
  }

  /** Gives back mutations counted for a change that then failed (Kafka counts only changes that pass validation). */
  public void unrecord(int partitions, long nowMs) {
    if (bucket != null) {
      synchronized (bucket) {
        bucket.record(-partitions, quotaPerSecond, nowMs);
      }
    }
  }

  /** How long to throttle the request: the time set by the last refusal (or overdraft) less the time since, as Kafka's. */
  public long throttleMs(long nowMs) {
    return Math.max(0, throttleMs - (nowMs - throttleSetAtMs));
  }

  private void throttle(long ms, long nowMs) {
    throttleMs = ms;
    throttleSetAtMs = nowMs;
  }
}
