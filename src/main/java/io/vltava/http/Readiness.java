package io.vltava.http;

import java.util.Optional;

/**
 * Whether the node serves clients yet, and if not, why: the node's start-up and shutdown move it
 * along, {@code GET /health/ready} reads it. Thread-safe.
 */
public final class Readiness {
  private volatile String notReadyReason;
  private volatile boolean stopping;

  public Readiness(String initialReason) {
    this.notReadyReason = initialReason;
  }

  public void notReady(String reason) {
    notReadyReason = reason;
  }

  /** Ready, unless the node has begun to stop meanwhile. */
  public void ready() {
    if (!stopping) {
      notReadyReason = null;
    }
  }

  /** Not ready for good: the node is stopping. */
  public void stopping() {
    stopping = true;
    notReadyReason = "the node is stopping";
  }

  /** Empty once the node is ready. */
  public Optional<String> whyNotReady() {
    return Optional.ofNullable(notReadyReason);
  }
}
