package io.vltava.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import io.vltava.metadata.IsrChangeCount;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** The meters as the hot path updates them, read back from the Prometheus text. */
class NodeMetricsTest {

  @Test
  void countersAccumulatePerKeyAndIsrChangesAreSplitByDirection() {
    NodeMetrics metrics = new NodeMetrics();
    metrics.messagesIn("a", 3, 300);
    metrics.messagesIn("a", 2, 200);
    metrics.messagesIn("b", 1, 100);
    metrics.messagesOut("a", 4, 42);
    metrics.requestCompleted(ApiKeys.PRODUCE, Errors.NONE, TimeUnit.MILLISECONDS.toNanos(3));
    metrics.requestCompleted(ApiKeys.PRODUCE, Errors.NONE, TimeUnit.MILLISECONDS.toNanos(5));
    metrics.requestCompleted(ApiKeys.PRODUCE, Errors.NOT_LEADER_OR_FOLLOWER, TimeUnit.MILLISECONDS.toNanos(1));
    metrics.isrChanged(new IsrChangeCount(1, 0));
    metrics.isrChanged(new IsrChangeCount(1, 1));

    List<MetricsAndHealthTest.Sample> samples = MetricsAndHealthTest.Sample.parse(metrics.scrape());
    assertEquals(5, MetricsAndHealthTest.value(samples, "vltava_messages_in_total", "topic", "a"));
    assertEquals(500, MetricsAndHealthTest.value(samples, "vltava_bytes_in_total", "topic", "a"));
    assertEquals(1, MetricsAndHealthTest.value(samples, "vltava_messages_in_total", "topic", "b"));
    assertEquals(4, MetricsAndHealthTest.value(samples, "vltava_messages_out_total", "topic", "a"));
    assertEquals(42, MetricsAndHealthTest.value(samples, "vltava_bytes_out_total", "topic", "a"));
    assertEquals(2, MetricsAndHealthTest.value(samples, "vltava_requests_total", "api", "Produce", "error", "NONE"));
    assertEquals(1, MetricsAndHealthTest.value(samples, "vltava_requests_total", "api", "Produce", "error", "NOT_LEADER_OR_FOLLOWER"));
    assertEquals(3, MetricsAndHealthTest.value(samples, "vltava_request_latency_seconds_count", "api", "Produce"));
    assertEquals(0.009, MetricsAndHealthTest.value(samples, "vltava_request_latency_seconds_sum", "api", "Produce"), 1e-9);
    assertTrue(MetricsAndHealthTest.value(samples, "vltava_request_latency_seconds_bucket", "api", "Produce", "le", "+Inf") == 3);
    assertEquals(2, MetricsAndHealthTest.value(samples, "vltava_isr_shrinks_total"));
    assertEquals(1, MetricsAndHealthTest.value(samples, "vltava_isr_expands_total"));
  }

  @Test
  void throughputSumsTheTopicsCounters() {
    NodeMetrics metrics = new NodeMetrics();
    metrics.messagesIn("a", 3, 300);
    metrics.messagesIn("b", 2, 50);
    metrics.messagesOut("a", 3, 42);
    metrics.messagesOut("c", 1, 8);
    Throughput throughput = metrics.throughput();
    assertEquals(5, throughput.messagesIn());
    assertEquals(350, throughput.bytesIn());
    assertEquals(4, throughput.messagesOut());
    assertEquals(50, throughput.bytesOut());
  }
}
