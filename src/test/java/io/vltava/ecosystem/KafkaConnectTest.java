package io.vltava.ecosystem;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vltava.node.TestNodes;
import io.vltava.testkit.VltavaCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.file.FileStreamSinkConnector;
import org.apache.kafka.connect.file.FileStreamSourceConnector;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.distributed.DistributedHerder;
import org.apache.kafka.connect.storage.StringConverter;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kafka Connect 4.3.1 worker in distributed mode on three Vltava nodes: it creates its config,
 * offset and status topics (compacted), runs the FileStream source and sink connectors (a file
 * copied through a topic into another file), and after a restart resumes from the offsets it
 * stored: new lines are copied, none twice.
 */
@Tag("slow")
class KafkaConnectTest {
  private static final String TOPIC = "file-lines";
  private static final List<String> INTERNAL_TOPICS = List.of("connect-configs", "connect-offsets", "connect-status");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path baseDir;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  @Timeout(300)
  void fileSourceAndSinkCopyEveryLineOnceAcrossAWorkerRestart() throws Exception {
    Path source = baseDir.resolve("source.txt");
    Path sink = baseDir.resolve("sink.txt");
    List<String> lines = new ArrayList<>(numbered("before the restart", 200));
    Files.write(source, lines);

    try (VltavaCluster cluster = VltavaCluster.start(3, baseDir.resolve("cluster"));
        Admin admin = Admin.create(TestNodes.adminProps(cluster.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3))).all().get();

      Connect<DistributedHerder> worker = startWorker(cluster);
      try {
        URI rest = worker.rest().advertisedUrl();
        putConnector(rest, "file-source", Map.of(
            "connector.class", FileStreamSourceConnector.class.getName(),
            "tasks.max", "1",
            "file", source.toString(),
            "topic", TOPIC));
        putConnector(rest, "file-sink", Map.of(
            "connector.class", FileStreamSinkConnector.class.getName(),
            "tasks.max", "1",
            "file", sink.toString(),
            "topics", TOPIC));
        awaitRunning(rest, "file-source");
        awaitRunning(rest, "file-sink");
        awaitSinkHolds(sink, lines);
        assertInternalTopicsCompacted(admin);
        // Both connectors' progress is stored before the stop, so a restart has no reason to copy a line again.
        awaitStoredOffsets(rest, source, lines.size());
      } finally {
        stop(worker);
      }

      List<String> appended = numbered("after the restart", 100);
      Files.write(source, appended, StandardOpenOption.APPEND);
      lines.addAll(appended);

      worker = startWorker(cluster);
      try {
        awaitRunning(worker.rest().advertisedUrl(), "file-source");
        awaitRunning(worker.rest().advertisedUrl(), "file-sink");
        awaitSinkHolds(sink, lines);
        awaitStoredOffsets(worker.rest().advertisedUrl(), source, lines.size());
        TopicPartition partition = new TopicPartition(TOPIC, 0);
        assertEquals(lines.size(), admin.listOffsets(Map.of(partition, OffsetSpec.latest())).all().get()
            .get(partition).offset(), "records in the topic: each line sent once");
      } finally {
        stop(worker);
      }
    }
  }

  /** A worker of the group "connect-vltava", REST on a free loopback port, internal topics with three replicas. */
  private static Connect<DistributedHerder> startWorker(VltavaCluster cluster) {
    Map<String, String> props = new HashMap<>();
    props.put("bootstrap.servers", cluster.bootstrapServers());
    props.put("group.id", "connect-vltava");
    props.put("listeners", "http://127.0.0.1:0");
    props.put("key.converter", StringConverter.class.getName());
    props.put("value.converter", StringConverter.class.getName());
    props.put("config.storage.topic", INTERNAL_TOPICS.get(0));
    props.put("offset.storage.topic", INTERNAL_TOPICS.get(1));
    props.put("status.storage.topic", INTERNAL_TOPICS.get(2));
    props.put("config.storage.replication.factor", "3");
    props.put("offset.storage.replication.factor", "3");
    props.put("status.storage.replication.factor", "3");
    props.put("offset.flush.interval.ms", "500");
    // The restarted worker takes the connectors at once instead of waiting for the old one to return.
    props.put("scheduled.rebalance.max.delay.ms", "0");
    // Plugins from their service manifests: no reflective scan of the whole test class path.
    props.put("plugin.discovery", "service_load");
    return new ConnectDistributed().startConnect(props);
  }

  /** An orderly stop: the tasks commit their offsets (source positions, sink consumer offsets) on the way out. */
  private static void stop(Connect<DistributedHerder> worker) {
    worker.stop();
    worker.awaitStop();
  }

  private void putConnector(URI rest, String name, Map<String, String> config) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(rest.resolve("/connectors/" + name + "/config"))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(config)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(201, response.statusCode(), response.body());
  }

  /** Waits until the connector and its one task report RUNNING. */
  private void awaitRunning(URI rest, String name) {
    await(name + " runs").until(() -> {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(rest.resolve("/connectors/" + name + "/status")).build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return false;
      }
      JsonNode status = JSON.readTree(response.body());
      JsonNode tasks = status.path("tasks");
      return "RUNNING".equals(status.path("connector").path("state").asText())
          && tasks.size() == 1 && "RUNNING".equals(tasks.get(0).path("state").asText());
    });
  }

  /**
   * Waits until the offsets the worker stored (GET /connectors/NAME/offsets: the source's position in
   * its file, kept in the offset topic; the sink's committed consumer offset) cover the whole source file.
   */
  private void awaitStoredOffsets(URI rest, Path source, int lineCount) {
    await("offsets stored for " + lineCount + " lines").until(() -> {
      JsonNode sourceOffset = offsets(rest, "file-source").path(0).path("offset");
      JsonNode sinkOffset = offsets(rest, "file-sink").path(0).path("offset");
      return sourceOffset.path("position").asLong() == Files.size(source)
          && sinkOffset.path("kafka_offset").asLong() == lineCount;
    });
  }

  private JsonNode offsets(URI rest, String connector) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(rest.resolve("/connectors/" + connector + "/offsets")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return JSON.readTree(response.body()).path("offsets");
  }

  /** Waits until the sink file holds at least {@code expected}'s number of lines, then requires exactly those. */
  private static void awaitSinkHolds(Path sink, List<String> expected) throws Exception {
    await("the sink file holds " + expected.size() + " lines")
        .until(() -> Files.exists(sink) && Files.readAllLines(sink).size() >= expected.size());
    assertEquals(expected, Files.readAllLines(sink, StandardCharsets.UTF_8));
  }

  private static void assertInternalTopicsCompacted(Admin admin) throws Exception {
    Map<String, TopicDescription> topics = admin.describeTopics(INTERNAL_TOPICS).allTopicNames().get();
    List<ConfigResource> resources = new ArrayList<>();
    for (TopicDescription topic : topics.values()) {
      topic.partitions().forEach(p -> assertEquals(3, p.replicas().size(), topic.name()));
      resources.add(new ConfigResource(ConfigResource.Type.TOPIC, topic.name()));
    }
    Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get();
    for (ConfigResource resource : resources) {
      assertEquals("compact", configs.get(resource).get(TopicConfig.CLEANUP_POLICY_CONFIG).value(), resource.name());
    }
  }

  private static List<String> numbered(String label, int count) {
    return IntStream.range(0, count).mapToObj(i -> label + " " + i).toList();
  }

  private static ConditionFactory await(String what) {
    return Awaitility.await(what).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
        .ignoreExceptions();
  }
}
