package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.log.PartitionLog;
import io.vltava.node.LogRecords.Kept;
import io.vltava.replica.LocalReplica;
import io.vltava.testkit.VltavaCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.InvalidRecordException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compacted topic on three nodes with real clients: every replica cleans its own log down to the
 * last record of each key, the replicas converge, a kafka-clients consumer reads the compacted log
 * from offset 0 across its gaps, and a follower that lost its copy replicates the compacted log.
 */
@Tag("slow")
class CompactionTest {
  private static final Map<String, Object> SETTINGS = Map.of(
      "vltava.log-cleaner.log.cleaner.backoff.ms", 100,
      // Segments roll by age at each maintenance tick, so everything written becomes cleanable.
      "vltava.topics.log.retention.check.interval.ms", 200);
  private static final Map<String, String> TOPIC_CONFIGS = Map.of(
      "cleanup.policy", "compact",
      "segment.bytes", "2048",
      "segment.ms", "500",
      "min.cleanable.dirty.ratio", "0.01");
  private static final int KEYS = 25;

  @TempDir Path baseDir;

  @Test
  @Timeout(240)
  void replicasConvergeOnTheLastRecordOfEachKeyAndClientsReadAcrossTheGaps() throws Exception {
    try (VltavaCluster cluster = VltavaCluster.start(3, baseDir, SETTINGS);
        Admin admin = Admin.create(TestNodes.adminProps(cluster.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic("table", 1, (short) 3).configs(TOPIC_CONFIGS))).all().get();
      TopicPartition partition = new TopicPartition("table", 0);
      cluster.awaitFullIsr("table");

      List<Kept> written = new ArrayList<>();
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(TestNodes.producerProps(cluster.bootstrapServers()))) {
        for (int i = 0; i < 600; i++) {
          String key = "k" + (i * 7 % KEYS);
          String value = i % 23 == 0 ? null : "v" + i;
          long offset = producer.send(new ProducerRecord<>("table", 0, bytes(key), bytes(value))).get().offset();
          written.add(new Kept(offset, key, value));
        }
        ExecutionException keyless = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
            () -> producer.send(new ProducerRecord<>("table", 0, null, bytes("no key"))).get());
        assertTrue(keyless.getCause() instanceof InvalidRecordException, keyless.toString());
      }
      List<Kept> expected = lastPerKey(written);

      awaitAllReplicasHold(cluster, partition, expected);

      // A kafka-clients consumer reads the compacted log from offset 0, across the gaps.
      assertEquals(expected, consumeFromStart(cluster.bootstrapServers(), partition));

      // A follower that lost its copy replicates the compacted log from the leader, gaps and all.
      int leader = cluster.metadata().topic("table").orElseThrow().partitions().get(0).leader();
      int follower = leader % 3 + 1;
      cluster.crash(follower);
      deleteRecursively(cluster.dataDir(follower).resolve("table-0"));
      cluster.restart(follower);
      cluster.awaitFullIsr("table");
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> expected.equals(LogRecords.read(log(cluster, follower, partition))));
      assertEquals(expected.get(expected.size() - 1).offset() + 1, log(cluster, follower, partition).logEndOffset());
    }
  }

  private static void awaitAllReplicasHold(VltavaCluster cluster, TopicPartition partition, List<Kept> expected) {
    for (int id = 1; id <= 3; id++) {
      int node = id;
      Awaitility.await("node " + node + " compacts its replica").atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> expected.equals(LogRecords.read(log(cluster, node, partition))));
    }
  }

  private static PartitionLog log(VltavaCluster cluster, int node, TopicPartition partition) {
    return cluster.node(node).localReplica(partition).map(LocalReplica::log).orElse(null);
  }

  /** The model: of all records written, the last of each key, at its offset (tombstones kept: delete.retention.ms is a day). */
  private static List<Kept> lastPerKey(List<Kept> written) {
    Map<String, Kept> latest = new LinkedHashMap<>();
    written.forEach(k -> latest.put(k.key(), k));
    return latest.values().stream().sorted(Comparator.comparingLong(Kept::offset)).toList();
  }

  private static List<Kept> consumeFromStart(String bootstrap, TopicPartition partition) throws Exception {
    List<Kept> read = new ArrayList<>();
    try (Admin admin = Admin.create(TestNodes.adminProps(bootstrap));
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(TestNodes.consumerProps(bootstrap))) {
      long end = admin.listOffsets(Map.of(partition, OffsetSpec.latest())).all().get().get(partition).offset();
      consumer.assign(List.of(partition));
      consumer.seek(partition, 0);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (consumer.position(partition) < end && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          read.add(new Kept(record.offset(), new String(record.key(), StandardCharsets.UTF_8),
              record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8)));
        }
      }
      assertFalse(consumer.position(partition) < end, "read up to the high watermark " + end);
    }
    return read;
  }

  private static byte[] bytes(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  private static void deleteRecursively(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
