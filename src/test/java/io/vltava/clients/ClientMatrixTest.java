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
import io.vltava.log.PartitionLog;
import io.vltava.node.LogRecords;
import io.vltava.node.LogRecords.Kept;
import io.vltava.node.TestNodes;
import io.vltava.node.VltavaNode;
import io.vltava.replica.LocalReplica;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
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
 * commits, read from the beginning and from a timestamp, describe and delete the topic; and, in a
 * third process, read a compacted topic (gaps, an empty batch) from the beginning.
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
  private static final Path CLIENTS_DIR = DriverProcess.CLIENTS_DIR;
  /** Debian bookworm's librdkafka, under its python3-confluent-kafka 1.7.0. */
  private static final String LIBRDKAFKA = "2.0.2";
  private static final Path MATRIX_DIR = DriverProcess.MATRIX_DIR;

  /** A compacted topic, written and compacted once, that every client reads from the beginning. */
  private static final String COMPACTED_TOPIC = "matrix-compacted";

  @TempDir static Path dataDir;
  static VltavaNode node;
  /** What the node's log of {@link #COMPACTED_TOPIC} holds once compacted, per partition: what every client must read. */
  static Map<Integer, List<Kept>> compactedSurvivors;
  /** The node's protocol warnings: a valid request must never close its connection. */
  private static final ListAppender<ILoggingEvent> protocolLog = new ListAppender<>();

  @BeforeAll
  static void startNode() throws Exception {
    protocolLog.start();
    ((Logger) LoggerFactory.getLogger("io.vltava.kafka")).addAppender(protocolLog);
    node = TestNodes.start(dataDir, Map.of("vltava.topics.auto.create.topics.enable", false,
        "vltava.groups.group.initial.rebalance.delay.ms", 0,
        // The compacted topic's segments roll by age at each maintenance tick and the cleaner looks often.
        "vltava.topics.log.retention.check.interval.ms", 200, "vltava.log-cleaner.log.cleaner.backoff.ms", 100));
    compactedSurvivors = writeAndCompact(COMPACTED_TOPIC);
  }

  /**
   * Creates the compacted topic every client reads. In each partition an idempotent producer writes
   * keys k0..k3, which later records all supersede (the cleaner keeps its batch, empty, for the
   * producer's state); a plain producer then writes overwrites, a tombstone and new keys. Waits
   * until the node's replica holds only the last record of each live key (the tombstone removed
   * once {@code delete.retention.ms} has passed) and returns those records per partition.
   */
  private static Map<Integer, List<Kept>> writeAndCompact(String topic) throws Exception {
    try (Admin admin = Admin.create(TestNodes.adminProps(node.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, MatrixPlan.PARTITIONS, (short) 1).configs(Map.of(
          "cleanup.policy", "compact", "segment.bytes", "4096", "segment.ms", "500",
          "min.cleanable.dirty.ratio", "0.01", "delete.retention.ms", "100")))).all().get();
    }
    Map<Integer, List<Kept>> written = new TreeMap<>();
    writeToEveryPartition(topic, true, List.of(
        new Kept(-1, "k0", "a0"), new Kept(-1, "k1", "a1"), new Kept(-1, "k2", "a2"), new Kept(-1, "k3", "a3")), written);
    writeToEveryPartition(topic, false, List.of(
        new Kept(-1, "k0", "b0"), new Kept(-1, "k1", "b1"), new Kept(-1, "k2", null), new Kept(-1, "k3", "b3"),
        new Kept(-1, "k4", "b4"), new Kept(-1, "k0", "c0"), new Kept(-1, "k5", "c5")), written);
    Map<Integer, List<Kept>> survivors = new TreeMap<>();
    written.forEach((partition, records) -> {
      Map<String, Kept> latest = new HashMap<>();
      records.forEach(record -> latest.put(record.key(), record));
      survivors.put(partition, latest.values().stream().filter(record -> record.value() != null)
          .sorted(Comparator.comparingLong(Kept::offset)).toList());
    });
    Awaitility.await("the cleaner compacts " + topic).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertEquals(survivors, storedRecords(topic), "what the node's log holds"));
    for (int partition = 0; partition < MatrixPlan.PARTITIONS; partition++) {
      PartitionLog log = node.localReplica(new TopicPartition(topic, partition)).orElseThrow().log();
      RecordBatch first = ((MemoryRecords) log.read(0, 1 << 16, Long.MAX_VALUE).records()).batches().iterator().next();
      assertTrue(first.hasProducerId() && first.lastOffset() == 3 && !first.iterator().hasNext(),
          "partition " + partition + " starts with the idempotent producer's batch, emptied: " + first);
    }
    return survivors;
  }

  /** Sends {@code records} (offsets ignored) to each partition in turn; adds them, with their offsets, to {@code written}. */
  private static void writeToEveryPartition(String topic, boolean idempotent, List<Kept> records, Map<Integer, List<Kept>> written)
      throws Exception {
    Properties props = TestNodes.producerProps(node.bootstrapServers());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, idempotent);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      for (int partition = 0; partition < MatrixPlan.PARTITIONS; partition++) {
        String suffix = "-p" + partition; // values differ per partition, so a record read from the wrong one shows
        List<Kept> sending = records.stream()
            .map(r -> new Kept(-1, r.key(), r.value() == null ? null : r.value() + suffix)).toList();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (Kept record : sending) {
          sent.add(producer.send(new ProducerRecord<>(topic, partition, record.key(), record.value())));
        }
        producer.flush();
        for (int i = 0; i < sending.size(); i++) {
          written.computeIfAbsent(partition, p -> new ArrayList<>())
              .add(new Kept(sent.get(i).get().offset(), sending.get(i).key(), sending.get(i).value()));
        }
      }
    }
  }

  /** What the node's replica of each partition of {@code topic} holds. */
  private static Map<Integer, List<Kept>> storedRecords(String topic) throws IOException {
    Map<Integer, List<Kept>> stored = new TreeMap<>();
    for (int partition = 0; partition < MatrixPlan.PARTITIONS; partition++) {
      stored.put(partition, LogRecords.read(node.localReplica(new TopicPartition(topic, partition)).map(LocalReplica::log).orElse(null)));
    }
    return stored;
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
    runScenario("kafka-clients-4-3-1", "4.3.1", ALL_CODECS, DriverProcess.javaDriver(System.getProperty("java.class.path"), KafkaClientsDriver.class));
  }

  /** Older lines still in wide use; they negotiate older versions (2.8: Fetch v12, ListOffsets v6, Produce v9). */
  @ParameterizedTest(name = "kafka-clients {0}")
  @ValueSource(strings = {"2.8.2", "3.9.1"})
  void olderKafkaClients(String version) throws Exception {
    runScenario("kafka-clients-" + version.replace('.', '-'), version, ALL_CODECS, DriverProcess.kafkaClientsDriver(version, KafkaClientsDriver.class));
  }

  @Test
  void librdkafkaThroughConfluentKafkaPython() throws Exception {
    // Debian's module is installed for Debian's interpreter, not whichever python3 is first on PATH.
    String python = "/usr/bin/python3";
    DriverProcess.requireClient(DriverProcess.succeeds(List.of(python, "-c", "import confluent_kafka")), "python3-confluent-kafka (librdkafka)",
        "apt-get install python3-confluent-kafka");
    runScenario("librdkafka", LIBRDKAFKA, ALL_CODECS, List.of(python, CLIENTS_DIR.resolve("librdkafka/driver.py").toString()));
  }

  @Test
  void kafkajs() throws Exception {
    Path dir = CLIENTS_DIR.resolve("kafkajs");
    DriverProcess.requireClient(Files.isDirectory(dir.resolve("node_modules/kafkajs")) && DriverProcess.succeeds(List.of("node", "--version")),
        "node and kafkajs", "npm ci --prefix " + dir);
    runScenario("kafkajs", "2.2.4", KAFKAJS_CODECS, List.of("node", dir.resolve("driver.js").toString()));
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
    MatrixPlan compacted = new MatrixPlan(COMPACTED_TOPIC, "matrix-compacted-group-" + client, plan.baseTimestampMs(), codecs);
    List<JsonNode> compactedRead = DriverProcess.run(command(driver, "read-compacted", compacted), output, client + "-compacted", DRIVER_TIMEOUT);
    MatrixResults.checkCompactedRead(version, compactedRead, compactedSurvivors);
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
}
