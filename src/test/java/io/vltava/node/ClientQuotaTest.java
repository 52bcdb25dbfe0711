package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quotas set with Kafka's kafka-configs: a real producer sending as fast as it can is throttled
 * (throttle_time_ms, its connection muted) until its rate is the quota, and a consumer reading a
 * backlog reads it at its quota's pace; neither sees an error.
 * The quota window is short here (3 samples of 1 s) so the rate settles within seconds.
 */
@Tag("slow")
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClientQuotaTest {
  private static final String CONFIG_COMMAND = "kafka.admin.ConfigCommand";
  private static final int QUOTA_BYTES_PER_SECOND = 100_000;
  private static final int VALUE_BYTES = 1_000;

  @TempDir static Path dataDir;
  static VltavaNode node;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(dataDir, Map.of("vltava.quotas.quota.window.num", 3));
    try (Admin admin = Admin.create(TestNodes.adminProps(node.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic("quoted", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  @Test
  @Order(1)
  void aProducerOverItsQuotaConvergesToIt() throws Exception {
    KafkaTools.run(CONFIG_COMMAND, "--bootstrap-server", node.bootstrapServers(), "--alter",
        "--add-config", "producer_byte_rate=" + QUOTA_BYTES_PER_SECOND, "--entity-type", "clients", "--entity-name", "throttled")
        .assertSuccess();
    String described = KafkaTools.run(CONFIG_COMMAND, "--bootstrap-server", node.bootstrapServers(), "--describe",
        "--entity-type", "clients", "--entity-name", "throttled").assertSuccess().stdout();
    assertTrue(described.contains("producer_byte_rate=100000.0"), described);

    Properties props = TestNodes.producerProps(node.bootstrapServers());
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "throttled");
    props.put(ProducerConfig.ACKS_CONFIG, "1");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    // A small buffer makes send() block while the producer is throttled, so the loop is paced by the quota.
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64 * 1024);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 16 * 1024);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    ConcurrentLinkedQueue<Long> ackedAtNanos = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Exception> failures = new ConcurrentLinkedQueue<>();
    long startNanos = System.nanoTime();
    long endNanos = startNanos + Duration.ofSeconds(12).toNanos();
    double maxThrottleMs;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      for (int i = 0; i < 50_000 && System.nanoTime() < endNanos; i++) {
        producer.send(new ProducerRecord<>("quoted", new byte[VALUE_BYTES]), (metadata, e) -> {
          if (e != null) {
            failures.add(e);
          } else {
            ackedAtNanos.add(System.nanoTime());
          }
        });
      }
      maxThrottleMs = metric(producer.metrics(), "produce-throttle-time-max", "producer-metrics");
      producer.flush(); // at most the small buffer is left: about a second at the quota
    }
    assertEquals(ackedAtNanos.size(), node.localReplica(new TopicPartition("quoted", 0)).orElseThrow().log().logEndOffset(),
        "every acknowledged record is in the log");
    assertTrue(failures.isEmpty(), "throttling is never an error: " + failures.peek());
    assertTrue(maxThrottleMs > 0, "the producer was told to throttle");
    // After the first window's burst, the acknowledged bytes per second are the quota.
    long fromNanos = startNanos + Duration.ofSeconds(4).toNanos();
    long acked = ackedAtNanos.stream().filter(t -> t >= fromNanos && t < endNanos).count();
    double bytesPerSecond = acked * (double) VALUE_BYTES / ((endNanos - fromNanos) / 1e9);
    assertTrue(bytesPerSecond > 0.6 * QUOTA_BYTES_PER_SECOND && bytesPerSecond < 1.4 * QUOTA_BYTES_PER_SECOND,
        "rate " + Math.round(bytesPerSecond) + " B/s against a quota of " + QUOTA_BYTES_PER_SECOND);
  }

  @Test
  @Order(2)
  void aConsumerOverItsQuotaIsSlowedToIt() throws Exception {
    KafkaTools.run(CONFIG_COMMAND, "--bootstrap-server", node.bootstrapServers(), "--alter",
        "--add-config", "consumer_byte_rate=" + QUOTA_BYTES_PER_SECOND * 2, "--entity-type", "clients", "--entity-name", "slow-reader")
        .assertSuccess();
    TopicPartition partition = new TopicPartition("quoted", 0);
    // What the producer test wrote: well over a second of this quota.
    long producedRecords = node.localReplica(partition).orElseThrow().log().logEndOffset();
    assertTrue(producedRecords > 500, "records to read: " + producedRecords);
    Properties props = TestNodes.consumerProps(node.bootstrapServers());
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "slow-reader");
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024);
    long startNanos = System.nanoTime();
    long read = 0;
    double maxThrottleMs;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long deadline = startNanos + Duration.ofSeconds(60).toNanos();
      while (read < producedRecords && System.nanoTime() < deadline) {
        read += consumer.poll(Duration.ofMillis(200)).count();
      }
      maxThrottleMs = metric(consumer.metrics(), "fetch-throttle-time-max", "consumer-fetch-manager-metrics");
    }
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    assertEquals(producedRecords, read);
    assertTrue(maxThrottleMs > 0, "the consumer was told to throttle");
    // Everything beyond the first window's allowance (2 s of quota) comes at the quota's pace.
    double expectedSeconds = (read * (double) VALUE_BYTES - 2.0 * 2 * QUOTA_BYTES_PER_SECOND) / (2.0 * QUOTA_BYTES_PER_SECOND);
    assertTrue(seconds > 0.6 * expectedSeconds, "read " + read + " records in " + seconds + " s; at the quota that takes "
        + expectedSeconds + " s");
  }

  private static double metric(Map<MetricName, ? extends Metric> metrics, String name, String group) {
    return metrics.entrySet().stream().filter(e -> e.getKey().name().equals(name) && e.getKey().group().equals(group))
        .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).findFirst().orElse(Double.NaN);
  }
}
