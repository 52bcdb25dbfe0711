package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vltava.clients.DriverProcess;
import io.vltava.clients.ThrottledProducerDriver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ThrottlingQuotaExceededException;
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
 * Quotas set with Kafka's kafka-configs or Admin: a real producer sending as fast as it can is
 * throttled (throttle_time_ms, its connection muted) until its rate is the quota, also with
 * kafka-clients 2.8; a consumer reading a backlog reads it at its quota's pace; a client over its
 * request_percentage gets far fewer requests through than one without; an admin client over its
 * controller_mutation_rate is refused THROTTLING_QUOTA_EXCEEDED and, retrying, creates topics at
 * the quota's pace. None sees any other error.
 * The windows are short here (3 samples of 1 s) so rates settle within seconds.
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
    node = TestNodes.start(dataDir, Map.of("vltava.quotas.quota.window.num", 3, "vltava.quotas.controller.quota.window.num", 3));
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
    assertEquals(producedRecords, read, "every record read once: throttled fetches were answered empty, not skipped");
    assertTrue(maxThrottleMs > 0, "the consumer was told to throttle");
    // Everything beyond the first window's allowance (2 s of quota) comes at the quota's pace.
    double expectedSeconds = (read * (double) VALUE_BYTES - 2.0 * 2 * QUOTA_BYTES_PER_SECOND) / (2.0 * QUOTA_BYTES_PER_SECOND);
    assertTrue(seconds > 0.6 * expectedSeconds, "read " + read + " records in " + seconds + " s; at the quota that takes "
        + expectedSeconds + " s");
  }

  @Test
  @Order(3)
  void aClientOverItsRequestPercentageGetsFarFewerRequestsThrough() throws Exception {
    // 0.001 % of a thread is 20 µs of handling in the 2 s the window spans at first: one request or
    // two, and then every request is throttled for the longest request time allows, one sample (1 s).
    setQuota("clients", "busy", "request_percentage", 0.001);
    long unthrottled = syncSendsWithin("free", Duration.ofSeconds(4)).acked();
    SyncSends throttled = syncSendsWithin("busy", Duration.ofSeconds(4));
    assertTrue(throttled.maxThrottleMs() > 0, "the producer was told to throttle");
    assertTrue(throttled.maxThrottleMs() <= 1_000, "request time throttles at most one sample: " + throttled.maxThrottleMs());
    assertTrue(throttled.acked() > 0, "a throttled client still progresses");
    // About one a second, whatever the machine; the free client does more on any machine.
    assertTrue(throttled.acked() <= 8, throttled.acked() + " requests through in 4 s");
    assertTrue(throttled.acked() * 2 < unthrottled, throttled.acked() + " requests through against " + unthrottled + " unthrottled");
  }

  @Test
  @Order(4)
  void anAdminOverItsMutationRateIsRefusedThenCreatesAtItsPace() throws Exception {
    // 2 partitions a second; the bucket holds 3 s of it.
    setQuota("clients", "mutator", "controller_mutation_rate", 2);
    Properties props = TestNodes.adminProps(node.bootstrapServers());
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "mutator");
    try (Admin admin = Admin.create(props)) {
      // Strict (CreateTopics v7): the full bucket of 6 takes both topics, the second overdrawing it by 6
      // (validate_only counts, as in Kafka's controller); the next request is refused for 3 s.
      CreateTopicsResult validated = admin.createTopics(List.of(new NewTopic("mutated-0", 6, (short) 1),
          new NewTopic("mutated-1", 6, (short) 1)), new CreateTopicsOptions().validateOnly(true).retryOnQuotaViolation(false));
      validated.all().get(30, TimeUnit.SECONDS);
      CreateTopicsResult refused = admin.createTopics(List.of(new NewTopic("mutated-2", 6, (short) 1),
          new NewTopic("mutated-3", 6, (short) 1)), new CreateTopicsOptions().retryOnQuotaViolation(false));
      for (String topic : List.of("mutated-2", "mutated-3")) {
        ExecutionException failure = assertThrows(ExecutionException.class, () -> refused.values().get(topic).get(30, TimeUnit.SECONDS));
        ThrottlingQuotaExceededException exceeded = assertInstanceOf(ThrottlingQuotaExceededException.class, failure.getCause());
        assertTrue(exceeded.throttleTimeMs() > 0 && exceeded.throttleTimeMs() <= 3_000, "6 short at 2/s: " + exceeded.throttleTimeMs());
      }
      assertTrue(admin.listTopics().names().get().stream().noneMatch(name -> name.startsWith("mutated-")));
      // Retrying (the default), the client waits out each refusal: 24 partitions at 2 a second, of which
      // at most the bucket (6) and one overdraft (4) come without waiting.
      long startNanos = System.nanoTime();
      List<NewTopic> topics = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        topics.add(new NewTopic("paced-" + i, 4, (short) 1));
      }
      admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
      double seconds = (System.nanoTime() - startNanos) / 1e9;
      assertTrue(seconds > 0.5 * (24 - 6 - 4) / 2.0, "24 partitions created in " + seconds + " s at 2 a second");
      assertEquals(6, admin.listTopics().names().get().stream().filter(name -> name.startsWith("paced-")).count());
    }
  }

  /** kafka-clients 2.8 in its own JVM (as ClientMatrixTest runs it) is throttled to the producer quota too. */
  @Test
  @Order(5)
  void anOlderClientRespectsTheThrottle() throws Exception {
    setQuota("clients", "old-producer", "producer_byte_rate", QUOTA_BYTES_PER_SECOND);
    try (Admin admin = Admin.create(TestNodes.adminProps(node.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic("quoted-old", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
    List<String> command = new ArrayList<>(DriverProcess.kafkaClientsDriver("2.8.2", ThrottledProducerDriver.class));
    command.addAll(List.of(node.bootstrapServers(), "quoted-old", "old-producer", String.valueOf(VALUE_BYTES), "4", "12"));
    JsonNode produced = DriverProcess.run(command, DriverProcess.MATRIX_DIR.resolve("runs"), "quota-kafka-clients-2-8-2",
        Duration.ofMinutes(2)).get(0);
    assertEquals("2.8.2", produced.get("version").asText());
    assertEquals(produced.get("acked").asLong(), node.localReplica(new TopicPartition("quoted-old", 0)).orElseThrow().log().logEndOffset(),
        "every acknowledged record is in the log");
    assertTrue(produced.get("produceThrottleTimeMaxMs").asDouble() > 0, "the producer was told to throttle: " + produced);
    // Only the upper bound: that the quota is reached at all is the first test's business, and a
    // child JVM on a busy machine may not reach it.
    double bytesPerSecond = produced.get("ackedMeasured").asLong() * (double) VALUE_BYTES / produced.get("secondsMeasured").asDouble();
    assertTrue(bytesPerSecond < 1.4 * QUOTA_BYTES_PER_SECOND,
        "rate " + Math.round(bytesPerSecond) + " B/s against a quota of " + QUOTA_BYTES_PER_SECOND);
  }

  private record SyncSends(long acked, double maxThrottleMs) {}

  /** Sends one record at a time, each acknowledged before the next, for {@code duration}. */
  private static SyncSends syncSendsWithin(String clientId, Duration duration) throws Exception {
    Properties props = TestNodes.producerProps(node.bootstrapServers());
    props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    props.put(ProducerConfig.ACKS_CONFIG, "1");
    long acked = 0;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      producer.partitionsFor("quoted"); // metadata first, so both clients start measuring at their first produce
      long endNanos = System.nanoTime() + duration.toNanos();
      for (int i = 0; i < 100_000 && System.nanoTime() < endNanos; i++) {
        producer.send(new ProducerRecord<>("quoted", new byte[10])).get(30, TimeUnit.SECONDS);
        acked++;
      }
      return new SyncSends(acked, metric(producer.metrics(), "produce-throttle-time-max", "producer-metrics"));
    }
  }

  private static void setQuota(String entityType, String entityName, String quota, double value) throws Exception {
    KafkaTools.run(CONFIG_COMMAND, "--bootstrap-server", node.bootstrapServers(), "--alter",
        "--add-config", quota + "=" + value, "--entity-type", entityType, "--entity-name", entityName).assertSuccess();
  }

  private static double metric(Map<MetricName, ? extends Metric> metrics, String name, String group) {
    return metrics.entrySet().stream().filter(e -> e.getKey().name().equals(name) && e.getKey().group().equals(group))
        .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).findFirst().orElse(Double.NaN);
  }
}
