package io.vltava.kafka;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * What the protocol layer reports while it serves clients; the node binds it to its metrics
 * registry. Called on the request hot path from many threads: implementations are thread-safe and
 * create no meter per call.
 */
public interface BrokerMetrics {
  /** Reports nothing: for listeners started without a node (tests, tools). */
  BrokerMetrics NONE = new BrokerMetrics() {
    @Override
    public void requestCompleted(ApiKeys api, Errors error, long latencyNanos) {}

    @Override
    public void messagesIn(String topic, long messages, long bytes) {}

    @Override
    public void messagesOut(String topic, long messages, long bytes) {}
  };

  /** A request answered (or failed) with {@code error}, {@code latencyNanos} after it was read. */
  void requestCompleted(ApiKeys api, Errors error, long latencyNanos);

  /** Records appended to a partition of {@code topic} as its leader. */
  void messagesIn(String topic, long messages, long bytes);

  /** Records in the batches sent to consumers of {@code topic}, and their bytes. */
  void messagesOut(String topic, long messages, long bytes);
}
