package io.vltava.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vltava.node.TestNodes;
import io.vltava.node.VltavaNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * The client matrix: each client family, a real implementation in its own OS process, runs the
 * same scenario against one node: create a topic, form a two-member consumer group, produce keyed
 * records with headers with an idempotent producer and every codec the client has, read them in
 * the group and commit, produce more; then, in a second process, resume the group from its
 * commits, read from the beginning and from a timestamp, describe and delete the topic.
 * {@link MatrixResults} checks the drivers' JSON lines. A client that is not installed fails the
 * test under CI ({@code CI=true}) and is skipped with the install command elsewhere.
 */
@Tag("client-matrix")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClientMatrixTest {
  private static final Duration DRIVER_TIMEOUT = Duration.ofMinutes(2);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> ALL_CODECS = List.of("none", "gzip", "snappy", "lz4", "zstd");
  /** kafkajs has gzip built in and snappy and lz4 as plugins; its zstd plugin (cppzst) no longer builds on Node 20. */
  private static final List<String> KAFKAJS_CODECS = List.of("none", "gzip", "snappy", "lz4");
  private static final Path CLIENTS_DIR = Path.of("src", "test", "clients");
  /** Debian bookworm's librdkafka, under its python3-confluent-kafka 1.7.0. */
  private static final String LIBRDKAFKA = "2.0.2";
  /** Where maven-dependency-plugin puts older kafka-clients jars (see pom.xml), and where each driver's output is kept. */
  private static final Path MATRIX_DIR = Path.of(System.getProperty("client.matrix.dir", "target/client-matrix"));

  @TempDir static Path dataDir;
  static VltavaNode node;
  /** The node's protocol warnings: a valid request must never close its connection. */
  private static final ListAppender<ILoggingEvent> protocolLog = new ListAppender<>();

  @BeforeAll
  static void startNode() throws Exception {
    protocolLog.start();
    ((Logger) LoggerFactory.getLogger("io.vltava.kafka")).addAppender(protocolLog);
    node = TestNodes.start(dataDir, Map.of("vltava.topics.auto.create.topics.enable", false,
        "vltava.groups.group.initial.rebalance.delay.ms", 0));
  }

  @AfterAll
  static void stopNode() throws Exception {
    ((Logger) LoggerFactory.getLogger("io.vltava.kafka")).detachAppender(protocolLog);
    if (node != null) {
      node.close();
    }
  }

  @Test
  void kafkaClients431() throws Exception {
    runScenario("kafka-clients-4-3-1", "4.3.1", ALL_CODECS, javaDriver(System.getProperty("java.class.path")));
  }

  /** Older lines still in wide use; they negotiate older versions (2.8: Fetch v12, ListOffsets v6, Produce v9). */
  @ParameterizedTest(name = "kafka-clients {0}")
  @ValueSource(strings = {"2.8.2", "3.9.1"})
  void olderKafkaClients(String version) throws Exception {
    Path jars = MATRIX_DIR.resolve("kafka-clients-" + version);
    requireClient(Files.isDirectory(jars), "kafka-clients " + version + " jars in " + jars,
        "mvn generate-test-resources (maven-dependency-plugin copies them)");
    List<String> classpath = new ArrayList<>();
    classpath.add(Path.of(KafkaClientsDriver.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
    try (Stream<Path> files = Files.list(jars)) {
      files.filter(f -> f.toString().endsWith(".jar")).sorted().forEach(f -> classpath.add(f.toString()));
    }
    runScenario("kafka-clients-" + version.replace('.', '-'), version, ALL_CODECS,
        javaDriver(String.join(java.io.File.pathSeparator, classpath)));
  }

  @Test
  void librdkafkaThroughConfluentKafkaPython() throws Exception {
    // Debian's module is installed for Debian's interpreter, not whichever python3 is first on PATH.
    String python = "/usr/bin/python3";
    requireClient(succeeds(List.of(python, "-c", "import confluent_kafka")), "python3-confluent-kafka (librdkafka)",
        "apt-get install python3-confluent-kafka");
    runScenario("librdkafka", LIBRDKAFKA, ALL_CODECS, List.of(python, CLIENTS_DIR.resolve("librdkafka/driver.py").toString()));
  }

  @Test
  void kafkajs() throws Exception {
    Path dir = CLIENTS_DIR.resolve("kafkajs");
    requireClient(Files.isDirectory(dir.resolve("node_modules/kafkajs")) && succeeds(List.of("node", "--version")),
        "node and kafkajs", "npm ci --prefix " + dir);
    runScenario("kafkajs", "2.2.4", KAFKAJS_CODECS, List.of("node", dir.resolve("driver.js").toString()));
  }

  private static List<String> javaDriver(String classpath) {
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", classpath, KafkaClientsDriver.class.getName());
  }

  /** Runs the two driver processes for {@code client} and checks what they report. */
  private static void runScenario(String client, String version, List<String> codecs, List<String> driver) throws Exception {
    synchronized (protocolLog) { // the appender adds under its own lock, from the node's threads
      protocolLog.list.clear();
    }
    MatrixPlan plan = new MatrixPlan("matrix-" + client, "matrix-group-" + client, System.currentTimeMillis(), codecs);
    Path output = MATRIX_DIR.resolve("runs");
    List<JsonNode> firstRun = DriverProcess.run(command(driver, "produce-and-group", plan), output, client + "-1", DRIVER_TIMEOUT);
    List<JsonNode> reference = readWithReferenceClient(plan.topic());
    reference.addAll(storedBatches(plan.topic()));
    List<JsonNode> secondRun = DriverProcess.run(command(driver, "resume", plan), output, client + "-2", DRIVER_TIMEOUT);
    MatrixResults.check(plan, version, firstRun, reference, secondRun);
    assertEquals(List.of(), protocolFailures(), client + " made the node close a connection or write an invalid response");
  }

  private static List<String> protocolFailures() {
    synchronized (protocolLog) {
      return protocolLog.list.stream().map(ILoggingEvent::getFormattedMessage)
          .filter(message -> message.startsWith("Closing Kafka connection") || message.startsWith("BUG:"))
          .toList();
    }
  }

  /**
   * Reads the whole topic between the two runs with kafka-clients 4.3.1 in this JVM, as
   * {@code consumed} events of phase {@code reference}: what each client wrote (its compressed
   * batches included) must be readable by the reference client, not only by itself.
   */
  private static List<JsonNode> readWithReferenceClient(String topic) {
    List<JsonNode> events = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(TestNodes.consumerProps(node.bootstrapServers()))) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, DRIVER_TIMEOUT).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      Instant deadline = Instant.now().plus(DRIVER_TIMEOUT);
      while (ends.entrySet().stream().anyMatch(end -> consumer.position(end.getKey()) < end.getValue())) {
        assertTrue(Instant.now().isBefore(deadline), "the reference client did not reach the end offsets " + ends);
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          ObjectNode event = JSON.createObjectNode().put("event", "consumed").put("phase", "reference").put("member", "")
              .put("partition", record.partition()).put("offset", record.offset())
              .put("key", new String(record.key(), StandardCharsets.UTF_8))
              .put("value", new String(record.value(), StandardCharsets.UTF_8)).put("timestamp", record.timestamp());
          ArrayNode headers = event.putArray("headers");
          record.headers().forEach(h -> headers.addArray().add(h.key()).add(new String(h.value(), StandardCharsets.UTF_8)));
          events.add(event);
        }
      }
    }
    return events;
  }

  /**
   * One {@code stored} event (key, codec) per record in the node's log files: the codec of the
   * batch that holds it, so a client that silently falls back to no compression is caught.
   */
  private static List<JsonNode> storedBatches(String topic) throws IOException {
    List<JsonNode> events = new ArrayList<>();
    for (int partition = 0; partition < MatrixPlan.PARTITIONS; partition++) {
      List<Path> segments;
      try (Stream<Path> files = Files.list(dataDir.resolve(topic + "-" + partition))) {
        segments = files.filter(f -> f.toString().endsWith(".log")).sorted().toList();
      }
      for (Path segment : segments) {
        try (FileRecords records = FileRecords.open(segment.toFile(), false)) {
          for (RecordBatch batch : records.batches()) {
            for (Record record : batch) {
              events.add(JSON.createObjectNode().put("event", "stored")
                  .put("key", StandardCharsets.UTF_8.decode(record.key()).toString())
                  .put("codec", batch.compressionType().name));
            }
          }
        }
      }
    }
    return events;
  }

  private static List<String> command(List<String> driver, String mode, MatrixPlan plan) {
    List<String> command = new ArrayList<>(driver);
    command.add(mode);
    command.add(node.bootstrapServers());
    command.addAll(plan.args());
    return command;
  }

  private static void requireClient(boolean present, String what, String install) {
    if (!present) {
      String message = what + " not found; install with: " + install;
      if ("true".equals(System.getenv("CI"))) {
        fail(message + " (.ci/run installs it)");
      }
      Assumptions.abort(message);
    }
  }

  private static boolean succeeds(List<String> command) throws InterruptedException {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return false;
      }
      return process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    }
  }
}
