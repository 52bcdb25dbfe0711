package io.vltava.http.console;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vltava.node.TestNodes;
import io.vltava.node.VltavaNode;
import io.vltava.replica.LogRecoveryProgress;
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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The console's JSON API on a real node: real HTTP on loopback, the node answering through its own Kafka listener. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConsoleApiTest {
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final ObjectMapper json = new ObjectMapper();

  @TempDir
  static Path dataDir;
  static VltavaNode node;
  static URI base;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(dataDir, Map.of("vltava.http.port", 0));
    var address = node.httpAddress().orElseThrow();
    base = URI.create("http://" + address.getHostString() + ":" + address.getPort());
    await().atMost(Duration.ofSeconds(30)).until(() -> send("GET", "/health/ready", null).statusCode() == 200);
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @Test
  void servesThePageAndItsAssetsFromTheJar() throws Exception {
    HttpResponse<String> page = send("GET", "/", null);
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("<main id=\"view\""), page.body());
    assertEquals("text/javascript; charset=utf-8", send("GET", "/console/app.js", null).headers().firstValue("Content-Type").orElseThrow());
    HttpResponse<String> uplot = send("GET", "/vendor/uplot/uPlot.iife.min.js", null);
    assertEquals(200, uplot.statusCode());
    assertTrue(uplot.body().contains("uPlot"));
    assertEquals(404, send("GET", "/console/../reference.conf", null).statusCode());
    assertEquals(404, send("GET", "/nothing.html", null).statusCode());
    assertEquals(404, send("GET", "/console/", null).statusCode());
    assertEquals(404, send("GET", "/vendor/uplot/LICENSE", null).statusCode());
    assertEquals(405, send("POST", "/", "{}").statusCode());
  }

  @Test
  void clusterShowsThisNodeAsControllerAndUp() throws Exception {
    JsonNode cluster = ok(send("GET", "/api/cluster", null));
    assertEquals(1, cluster.get("controllerId").asInt());
    assertEquals(1, cluster.get("thisNodeId").asInt());
    assertTrue(cluster.get("notReadyReason").isNull());
    JsonNode self = cluster.get("nodes").get(0);
    assertEquals(1, cluster.get("nodes").size());
    assertEquals("up", self.get("status").asText());
    assertTrue(self.get("controller").asBoolean() && self.get("thisNode").asBoolean());
    assertEquals(node.bootstrapServers(), self.get("kafkaEndpoint").asText());
    assertEquals(List.of("broker", "controller"), json.convertValue(self.get("roles"), List.class));
  }

  @Test
  void createChangeAndDeleteATopic() throws Exception {
    JsonNode created = ok(send("POST", "/api/topics", "{\"name\":\"api-topic\",\"partitions\":3,\"configs\":{\"retention.ms\":\"60000\"}}"));
    assertEquals(3, created.get("partitions").size());
    assertEquals("60000", config(created.get("configs"), "retention.ms").get("value").asText());
    assertEquals(409, send("POST", "/api/topics", "{\"name\":\"api-topic\"}").statusCode());

    JsonNode changed = ok(send("POST", "/api/topics/api-topic/configs", "{\"set\":{\"cleanup.policy\":\"compact\"},\"delete\":[\"retention.ms\"]}"));
    assertEquals("compact", config(changed.get("configs"), "cleanup.policy").get("value").asText());
    assertTrue(config(changed.get("configs"), "retention.ms").get("isDefault").asBoolean());
    assertEquals(400, send("POST", "/api/topics/api-topic/configs", "{\"set\":{\"cleanup.policy\":\"sometimes\"}}").statusCode());

    JsonNode listed = ok(send("GET", "/api/topics", null));
    assertTrue(names(listed.get("topics")).contains("api-topic"));
    assertEquals(200, send("DELETE", "/api/topics/api-topic", null).statusCode());
    assertEquals(404, send("GET", "/api/topics/api-topic", null).statusCode());
  }

  @Test
  void browsesRecordsFromAnOffsetATimestampOrTheEnd() throws Exception {
    ok(send("POST", "/api/topics", "{\"name\":\"browsed\",\"partitions\":1}"));
    long before = System.currentTimeMillis();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(TestNodes.producerProps(node.bootstrapServers()))) {
      for (int i = 0; i < 10; i++) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("browsed", 0, before + i * 1000L, bytes("k" + i), bytes("v" + i));
        record.headers().add("trace", bytes("t" + i));
        producer.send(record);
      }
      producer.send(new ProducerRecord<>("browsed", 0, before + 10_000L, null, new byte[] {(byte) 0xff, 0x00}));
      producer.flush();
    }
    JsonNode fromOffset = ok(send("GET", "/api/messages?topic=browsed&partition=0&offset=3&limit=2", null));
    assertEquals(3, fromOffset.get("startOffset").asLong());
    assertEquals(11, fromOffset.get("endOffset").asLong());
    assertEquals(List.of(3L, 4L), offsets(fromOffset));
    JsonNode third = fromOffset.get("records").get(0);
    assertEquals("k3", third.get("key").get("text").asText());
    assertEquals("v3", third.get("value").get("text").asText());
    assertEquals("t3", third.get("headers").get(0).get("value").get("text").asText());
    assertEquals(before + 3000, third.get("timestampMs").asLong());

    assertEquals(List.of(7L, 8L), offsets(ok(send("GET", "/api/messages?topic=browsed&timestamp=" + (before + 6500) + "&limit=2", null))));
    JsonNode newest = ok(send("GET", "/api/messages?topic=browsed&limit=2", null));
    assertEquals(List.of(9L, 10L), offsets(newest));
    JsonNode binary = newest.get("records").get(1);
    assertTrue(binary.get("key").isNull());
    assertEquals("base64", binary.get("value").get("encoding").asText());
    assertEquals("/wA=", binary.get("value").get("text").asText());
  }

  @Test
  void showsAGroupsLagAndResetsItWhenEmpty() throws Exception {
    ok(send("POST", "/api/topics", "{\"name\":\"lagging\",\"partitions\":2}"));
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(TestNodes.producerProps(node.bootstrapServers()))) {
      for (int i = 0; i < 10; i++) {
        producer.send(new ProducerRecord<>("lagging", i % 2, null, bytes("v" + i)));
      }
      producer.flush();
    }
    Properties props = TestNodes.consumerProps(node.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "api-group");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of("lagging"));
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        consumer.poll(Duration.ofMillis(100));
        return consumer.assignment().size() == 2;
      });
      consumer.commitSync(Map.of(new TopicPartition("lagging", 0), new OffsetAndMetadata(2),
          new TopicPartition("lagging", 1), new OffsetAndMetadata(5)));
      JsonNode stable = ok(send("GET", "/api/groups/api-group", null));
      assertEquals("Stable", stable.get("state").asText());
      assertEquals(1, stable.get("members").size());
      assertEquals(409, send("POST", "/api/groups/api-group/reset-offsets", "{\"to\":\"earliest\"}").statusCode());
    }
    JsonNode group = ok(send("GET", "/api/groups/api-group", null));
    assertEquals("Empty", group.get("state").asText());
    assertEquals(List.of(3L, 0L), lags(group));
    assertEquals(3, group.get("lag").get("totalLag").asLong());
    JsonNode listed = ok(send("GET", "/api/groups", null));
    assertTrue(names(listed.get("groups")).contains("api-group"));

    JsonNode reset = ok(send("POST", "/api/groups/api-group/reset-offsets", "{\"topic\":\"lagging\",\"to\":\"offset\",\"offset\":1}"));
    assertEquals(List.of(4L, 4L), lags(reset));
    assertEquals(List.of(5L, 5L), lags(ok(send("POST", "/api/groups/api-group/reset-offsets", "{\"to\":\"earliest\"}"))));
    assertEquals(404, send("GET", "/api/groups/nobody", null).statusCode());
  }

  @Test
  void badInputIsAClearClientError() throws Exception {
    assertError(404, "no topic 'missing'", send("GET", "/api/messages?topic=missing", null));
    assertError(400, "offset must not be negative", send("GET", "/api/messages?topic=x&offset=-1", null));
    assertError(400, "must be a whole number", send("GET", "/api/messages?topic=x&offset=abc", null));
    assertError(400, "missing parameter 'topic'", send("GET", "/api/messages", null));
    assertError(400, "malformed JSON", send("POST", "/api/topics", "{\"name\":"));
    assertError(400, "missing field 'name'", send("POST", "/api/topics", "{}"));
    assertError(400, "must be between 1", send("POST", "/api/topics", "{\"name\":\"t\",\"partitions\":0}"));
    assertError(405, "use GET, DELETE", send("PUT", "/api/topics/x", "{}"));
    assertError(404, "no API", send("GET", "/api/nothing", null));
    HttpResponse<String> plainText = http.send(HttpRequest.newBuilder(base.resolve("/api/topics"))
        .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"csrf\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertError(415, "must be JSON", plainText);
    assertEquals(404, send("GET", "/api/topics/csrf", null).statusCode());
    assertEquals(200, send("GET", "/health/ready", null).statusCode(), "the node stays up");
  }

  @Test
  void throughputRatesFollowProducing() throws Exception {
    ok(send("POST", "/api/topics", "{\"name\":\"metered\"}"));
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(TestNodes.producerProps(node.bootstrapServers()))) {
      for (int i = 0; i < 50; i++) {
        producer.send(new ProducerRecord<>("metered", bytes("v" + i)));
      }
      producer.flush();
    }
    // One-second samples: the 50 records show up as a rate once the next sample is taken.
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      double messages = 0;
      for (JsonNode rate : ok(send("GET", "/api/throughput", null)).get("rates")) {
        messages += rate.get("messagesInPerSec").asDouble();
      }
      return messages > 0;
    });
  }

  @Test
  void progressShowsTheLogsRecoveredAtStartUp(@TempDir Path restartedDir) throws Exception {
    TopicPartition partition = new TopicPartition("recovered", 2);
    try (VltavaNode first = TestNodes.start(restartedDir, Map.of())) {
      try (Admin admin = Admin.create(TestNodes.adminProps(first.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(partition.topic(), 3, (short) 1))).all().get();
      }
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(TestNodes.producerProps(first.bootstrapServers()))) {
        producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), null, bytes("kept"))).get();
      }
    }
    try (VltavaNode restarted = TestNodes.start(restartedDir, Map.of("vltava.http.port", 0))) {
      var address = restarted.httpAddress().orElseThrow();
      URI restartedBase = URI.create("http://" + address.getHostString() + ":" + address.getPort());
      await().atMost(Duration.ofSeconds(30)).until(() -> restarted.progress().recovery().snapshot().complete());
      LogRecoveryProgress.Snapshot recovered = restarted.progress().recovery().snapshot();
      assertTrue(recovered.total() >= 3, "the topic's 3 logs and any internal ones: " + recovered);
      assertTrue(recovered.bytesStarted() > 0, recovered.toString());

      JsonNode progress = ok(send(restartedBase, "GET", "/api/progress", null));
      JsonNode recovery = progress.get("recovery");
      assertEquals(recovered.total(), recovery.get("total").asInt());
      assertEquals(recovered.total(), recovery.get("finished").asInt());
      assertEquals(0, recovery.get("remaining").asInt());
      assertEquals(recovered.bytesStarted(), recovery.get("bytes").asLong());
      assertTrue(recovery.get("complete").asBoolean());
      assertEquals(0, progress.get("catchUp").size(), "a node of one has no followers");
      assertEquals(0, progress.get("reassignments").size());
    }
    assertEquals(405, send("POST", "/api/progress", "{}").statusCode());
  }

  @Test
  void aFloodOfConsoleRequestsNeverHoldsUpTheHealthProbe() throws Exception {
    ok(send("POST", "/api/topics", "{\"name\":\"flooded\",\"partitions\":4}"));
    // More requests than the console's two threads and queue of 32 hold at once.
    List<CompletableFuture<HttpResponse<String>>> flood = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      flood.add(http.sendAsync(HttpRequest.newBuilder(base.resolve("/api/topics/flooded")).timeout(Duration.ofSeconds(60)).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    long startNanos = System.nanoTime();
    assertEquals(200, send("GET", "/health/ready", null).statusCode());
    long probeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    for (CompletableFuture<HttpResponse<String>> request : flood) {
      HttpResponse<String> response = request.get(60, TimeUnit.SECONDS);
      if (response.statusCode() == 503) {
        assertError(503, "the console is busy", response);
      } else {
        assertEquals(4, ok(response).get("partitions").size());
      }
    }
    assertTrue(probeMs < 5_000, "the probe took " + probeMs + " ms");
  }

  private static void assertError(int status, String message, HttpResponse<String> response) throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    String error = json.readTree(response.body()).get("error").asText();
    assertTrue(error.contains(message), error);
  }

  private static List<Long> offsets(JsonNode browsed) {
    List<Long> offsets = new ArrayList<>();
    browsed.get("records").forEach(r -> offsets.add(r.get("offset").asLong()));
    return offsets;
  }

  private static List<Long> lags(JsonNode group) {
    List<Long> lags = new ArrayList<>();
    group.get("lag").get("rows").forEach(r -> lags.add(r.get("lag").asLong()));
    return lags;
  }

  private static List<String> names(JsonNode list) {
    List<String> names = new ArrayList<>();
    list.forEach(item -> names.add(item.has("name") ? item.get("name").asText() : item.get("groupId").asText()));
    return names;
  }

  private static JsonNode config(JsonNode configs, String name) {
    for (JsonNode config : configs) {
      if (config.get("name").asText().equals(name)) {
        return config;
      }
    }
    throw new AssertionError("no config " + name + " in " + configs);
  }

  private static JsonNode ok(HttpResponse<String> response) throws Exception {
    assertEquals(200, response.statusCode(), response.body());
    return json.readTree(response.body());
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static HttpResponse<String> send(String method, String path, String body) throws Exception {
    return send(base, method, path, body);
  }

  private static HttpResponse<String> send(URI node, String method, String path, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(node.resolve(path)).timeout(Duration.ofSeconds(30));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
