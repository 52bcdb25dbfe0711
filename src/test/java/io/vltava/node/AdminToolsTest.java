package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vltava.log.PartitionLog;
import io.vltava.testkit.VltavaTestKit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Kafka 4.3.1's own admin tools against a 3-node cluster: {@code kafka-log-dirs},
 * {@code kafka-features} and {@code kafka-transactions describe-producers}, each checked against
 * what the cluster really holds (segment files on disk, the batches in the log).
 */
@Tag("slow")
@Timeout(300)
class AdminToolsTest {
  static VltavaTestKit kit;

  @BeforeAll
  static void start() throws Exception {
    kit = VltavaTestKit.start(3);
  }

  @AfterAll
  static void stop() throws Exception {
    kit.close();
  }

  @Test
  void logDirsReportsEachReplicasSizeAndLag() throws Exception {
    kit.createTopic("sizes", 2, 3);
    produce("sizes", 200, Map.of());
    awaitReplicasEqual(new TopicPartition("sizes", 0), new TopicPartition("sizes", 1));

    KafkaTools.Result result = KafkaTools.run(KafkaTools.LOG_DIRS,
        "--bootstrap-server", kit.bootstrapServers(), "--describe", "--topic-list", "sizes,no-such-topic").assertSuccess();

    JsonNode json = new ObjectMapper().readTree(result.stdout().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow());
    assertEquals(3, json.get("brokers").size(), result.stdout());
    for (JsonNode broker : json.get("brokers")) {
      int id = broker.get("broker").asInt();
      JsonNode logDir = broker.get("logDirs").get(0);
      Path dir = kit.cluster().dataDir(id).toAbsolutePath().normalize();
      assertEquals(dir.toString(), logDir.get("logDir").asText());
      assertTrue(logDir.get("error").isNull());
      Map<String, JsonNode> partitions = new HashMap<>();
      logDir.get("partitions").forEach(p -> partitions.put(p.get("partition").asText(), p));
      assertEquals(List.of("sizes-0", "sizes-1"), partitions.keySet().stream().sorted().toList(), "no-such-topic is simply absent");
      for (int p = 0; p < 2; p++) {
        JsonNode partition = partitions.get("sizes-" + p);
        long onDisk = segmentBytes(dir.resolve("sizes-" + p));
        assertTrue(onDisk > 0);
        assertEquals(onDisk, partition.get("size").asLong(), "broker " + id + " sizes-" + p);
        assertEquals(0, partition.get("offsetLag").asLong());
        assertFalse(partition.get("isFuture").asBoolean());
      }
    }
  }

  @Test
  void featuresDescribeShowsWhatVltavaSupportsAndUpdatesAreRefused() throws Exception {
    KafkaTools.Result describe = KafkaTools.run(KafkaTools.FEATURES, "--bootstrap-server", kit.bootstrapServers(), "describe")
        .assertSuccess();
    // The tool pads its columns; compare with single spaces.
    List<String> lines = describe.stdout().lines().map(l -> l.trim().replaceAll("\\s+", " ")).toList();
    assertEquals(List.of(
        "Feature: eligible.leader.replicas.version SupportedMinVersion: 0 SupportedMaxVersion: 0 FinalizedVersionLevel: 0 Epoch: 0",
        "Feature: group.version SupportedMinVersion: 0 SupportedMaxVersion: 0 FinalizedVersionLevel: 0 Epoch: 0",
        "Feature: metadata.version SupportedMinVersion: 4.3-IV0 SupportedMaxVersion: 4.3-IV0 FinalizedVersionLevel: 4.3-IV0 Epoch: 0",
        "Feature: share.version SupportedMinVersion: 0 SupportedMaxVersion: 0 FinalizedVersionLevel: 0 Epoch: 0",
        "Feature: streams.version SupportedMinVersion: 0 SupportedMaxVersion: 0 FinalizedVersionLevel: 0 Epoch: 0",
        "Feature: transaction.version SupportedMinVersion: 0 SupportedMaxVersion: 0 FinalizedVersionLevel: 0 Epoch: 0"),
        lines, "no kraft.version: Vltava has no KRaft quorum");

    KafkaTools.Result upgrade = KafkaTools.run(KafkaTools.FEATURES,
        "--bootstrap-server", kit.bootstrapServers(), "upgrade", "--feature", "transaction.version=2");
    assertNotEquals(0, upgrade.exitCode());
    assertTrue(upgrade.stdout().contains("Could not upgrade transaction.version to 2. Vltava's feature levels are fixed"),
        upgrade.stdout() + upgrade.stderr());

    KafkaTools.Result same = KafkaTools.run(KafkaTools.FEATURES,
        "--bootstrap-server", kit.bootstrapServers(), "upgrade", "--metadata", "4.3-IV0").assertSuccess();
    assertTrue(same.stdout().contains("metadata.version was upgraded to 30."), same.stdout());
  }

  @Test
  void describeProducersListsTheLeadersIdempotentProducers() throws Exception {
    kit.createTopic("producers", 1, 3);
    TopicPartition partition = new TopicPartition("producers", 0);
    produce("producers", 3, Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true));
    awaitReplicasEqual(partition);
    RecordBatch last = lastBatch(kit.node(kit.leaderOf(partition)), partition);
    assertTrue(last.producerId() >= 0);

    KafkaTools.Result result = KafkaTools.run(KafkaTools.TRANSACTIONS, "--bootstrap-server", kit.bootstrapServers(),
        "describe-producers", "--topic", "producers", "--partition", "0").assertSuccess();

    List<List<String>> rows = result.stdout().lines().filter(l -> !l.isBlank()).map(l -> List.of(l.trim().split("\\s+"))).toList();
    assertEquals(List.of("ProducerId", "ProducerEpoch", "LatestCoordinatorEpoch", "LastSequence", "LastTimestamp",
        "CurrentTransactionStartOffset"), rows.get(0), result.stdout());
    assertEquals(List.of(List.of(Long.toString(last.producerId()), Short.toString(last.producerEpoch()), "-1",
        Integer.toString(last.lastSequence()), Long.toString(last.maxTimestamp()), "None")), rows.subList(1, rows.size()),
        result.stdout());

    int follower = kit.cluster().metadata().topic("producers").orElseThrow().partitions().get(0).replicas().stream()
        .filter(id -> id != kit.leaderOf(partition)).findFirst().orElseThrow();
    KafkaTools.Result atFollower = KafkaTools.run(KafkaTools.TRANSACTIONS, "--bootstrap-server", kit.bootstrapServers(),
        "describe-producers", "--topic", "producers", "--partition", "0", "--broker-id", Integer.toString(follower));
    assertNotEquals(0, atFollower.exitCode());
    assertTrue((atFollower.stdout() + atFollower.stderr()).contains("NotLeaderOrFollowerException"), atFollower.stdout() + atFollower.stderr());
  }

  private static void produce(String topic, int batches, Map<String, Object> extra) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kit.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.putAll(extra);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      for (int i = 0; i < batches; i++) {
        // One record per send and a wait for each: every record is its own batch.
        producer.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i)).get();
      }
    }
  }

  /** Waits until every replica of each partition holds the same log (followers fetched everything). */
  private static void awaitReplicasEqual(TopicPartition... partitions) {
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
      for (TopicPartition partition : partitions) {
        if (Stream.of(1, 2, 3).map(id -> logOf(kit.node(id), partition).logEndOffset()).distinct().count() != 1
            || Stream.of(1, 2, 3).map(id -> logOf(kit.node(id), partition).sizeBytes()).distinct().count() != 1) {
          return false;
        }
      }
      return true;
    });
  }

  private static PartitionLog logOf(VltavaNode node, TopicPartition partition) {
    return node.localReplica(partition).orElseThrow().log();
  }

  private static RecordBatch lastBatch(VltavaNode node, TopicPartition partition) throws Exception {
    PartitionLog log = logOf(node, partition);
    RecordBatch last = null;
    for (RecordBatch batch : log.read(log.logStartOffset(), Integer.MAX_VALUE, log.logEndOffset()).records().batches()) {
      last = batch;
    }
    return last;
  }

  private static long segmentBytes(Path partitionDir) throws Exception {
    try (Stream<Path> files = Files.list(partitionDir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".log")).mapToLong(f -> f.toFile().length()).sum();
    }
  }
}
