package io.vltava.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.node.TestNodes;
import io.vltava.node.VltavaNode;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real node's HTTP endpoint, scraped over loopback after real clients produced and consumed. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MetricsAndHealthTest {
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final int RECORDS = 20;
  private static final long COMMITTED = 15;

  @TempDir
  Path dataDir;

  @Test
  void metricsAfterProducingAndConsuming() throws Exception {
    try (VltavaNode node = TestNodes.start(dataDir, Map.of("vltava.http.port", 0))) {
      URI base = base(node);
      assertEquals(200, get(base, "/health/alive").statusCode());
      await().atMost(Duration.ofSeconds(30)).until(() -> get(base, "/health/ready").statusCode() == 200);

      TopicPartition partition = new TopicPartition("metered", 0);
      try (Admin admin = Admin.create(TestNodes.adminProps(node.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(partition.topic(), 1, (short) 1))).all().get();
      }
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(TestNodes.producerProps(node.bootstrapServers()))) {
        for (int i = 0; i < RECORDS; i++) {
          producer.send(new ProducerRecord<>(partition.topic(), 0, null, ("value-" + i).getBytes(StandardCharsets.UTF_8)));
        }
        producer.flush();
      }
      Properties consumerProps = TestNodes.consumerProps(node.bootstrapServers());
      consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "metered-group");
      consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps)) {
        consumer.subscribe(List.of(partition.topic()));
        assertEquals(RECORDS, TestNodes.pollValues(consumer, RECORDS).get(partition).size());
        consumer.commitSync(Map.of(partition, new OffsetAndMetadata(COMMITTED)));
      }

      HttpResponse<String> scrape = get(base, "/metrics");
      assertEquals(200, scrape.statusCode());
      assertTrue(scrape.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), scrape.headers().toString());
      List<Sample> samples = Sample.parse(scrape.body());
      assertEquals(RECORDS, value(samples, "vltava_messages_in_total", "topic", "metered"));
      assertTrue(value(samples, "vltava_bytes_in_total", "topic", "metered") > RECORDS * "value-0".length());
      assertEquals(RECORDS, value(samples, "vltava_messages_out_total", "topic", "metered"), "one consumer read each record once");
      assertTrue(value(samples, "vltava_bytes_out_total", "topic", "metered") > RECORDS * "value-0".length());
      assertTrue(value(samples, "vltava_requests_total", "api", "Produce", "error", "NONE") >= 1);
      assertTrue(value(samples, "vltava_requests_total", "api", "Fetch", "error", "NONE") >= 1);
      assertTrue(value(samples, "vltava_request_latency_seconds_count", "api", "Produce") >= 1);
      assertTrue(samples.stream().anyMatch(s -> s.name().equals("vltava_request_latency_seconds_bucket")
          && "Fetch".equals(s.labels().get("api")) && "+Inf".equals(s.labels().get("le"))), "latency is a histogram");
      assertEquals(0, value(samples, "vltava_partitions_under_replicated"));
      assertEquals(0, value(samples, "vltava_partitions_offline"));
      assertEquals(0, value(samples, "vltava_isr_shrinks_total"));
      assertEquals(0, value(samples, "vltava_isr_expands_total"));
      assertTrue(value(samples, "vltava_log_size_bytes", "topic", "metered", "partition", "0") > 0);
      assertEquals(RECORDS - COMMITTED, value(samples, "vltava_consumer_group_lag", "group", "metered-group", "topic", "metered", "partition", "0"));
      assertEquals(1, value(samples, "vltava_cluster_members", "status", "up"));
      assertEquals(0, value(samples, "vltava_cluster_members", "status", "unreachable"));
      assertEquals(1, value(samples, "vltava_controller_active"));
      for (String jvm : List.of("jvm_memory_used_bytes", "jvm_threads_live_threads", "jvm_gc_memory_allocated_bytes_total")) {
        assertTrue(samples.stream().anyMatch(s -> s.name().equals(jvm)), jvm + " is exported");
      }
      assertEquals(404, get(base, "/metrics/nothing").statusCode());
    }
  }

  @Test
  void notReadyWhileWaitingToJoin() throws Exception {
    int httpPort = freePort();
    int nobody = freePort();
    // Seeded only with a port nobody listens on, in a cluster of 3: it can neither join nor form one.
    CompletableFuture<VltavaNode> starting = new CompletableFuture<>();
    Thread starter = new Thread(() -> {
      try {
        starting.complete(TestNodes.start(dataDir, Map.of(
            "vltava.http.port", httpPort,
            "vltava.cluster.seeds", List.of("127.0.0.1:" + nobody),
            "vltava.cluster.size", 3)));
      } catch (Throwable e) {
        starting.completeExceptionally(e);
      }
    }, "waiting-node");
    starter.start();
    try {
      URI base = URI.create("http://127.0.0.1:" + httpPort);
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> get(base, "/health/alive").statusCode() == 200);
      HttpResponse<String> ready = get(base, "/health/ready");
      assertEquals(503, ready.statusCode());
      assertTrue(ready.body().contains("joining the cluster"), ready.body());
      assertFalse(starting.isDone(), "the node cannot have started");
    } finally {
      // Interrupting the start ends its wait for membership; it stops its actor system and the HTTP endpoint.
      starter.interrupt();
      starter.join(TimeUnit.SECONDS.toMillis(30));
    }
    assertTrue(starting.isCompletedExceptionally());
    await().atMost(Duration.ofSeconds(30)).until(() -> !listening(httpPort));
  }

  private static URI base(VltavaNode node) {
    var address = node.httpAddress().orElseThrow();
    return URI.create("http://" + address.getHostString() + ":" + address.getPort());
  }

  private static HttpResponse<String> get(URI base, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static boolean listening(int port) {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** The value of the one sample of {@code name} whose labels include {@code labels} (name, value pairs). */
  static double value(List<Sample> samples, String name, String... labels) {
    List<Sample> matching = samples.stream().filter(s -> s.name().equals(name)).filter(s -> {
      for (int i = 0; i < labels.length; i += 2) {
        if (!labels[i + 1].equals(s.labels().get(labels[i]))) {
          return false;
        }
      }
      return true;
    }).toList();
    assertEquals(1, matching.size(), () -> name + " " + List.of(labels) + " in " + samples.stream().filter(s -> s.name().equals(name)).toList());
    return matching.get(0).value();
  }

  /** One line of the Prometheus text format: name{labels} value. */
  record Sample(String name, Map<String, String> labels, double value) {
    private static final Pattern LINE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    static List<Sample> parse(String text) {
      List<Sample> samples = new ArrayList<>();
      for (String line : text.split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        Matcher m = LINE.matcher(line);
        assertTrue(m.matches(), "not a sample line: " + line);
        Map<String, String> labels = new java.util.HashMap<>();
        if (m.group(2) != null) {
          Matcher label = LABEL.matcher(m.group(2));
          while (label.find()) {
            labels.put(label.group(1), label.group(2));
          }
        }
        samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3).replace("Inf", "Infinity"))));
      }
      return samples;
    }
  }
}
