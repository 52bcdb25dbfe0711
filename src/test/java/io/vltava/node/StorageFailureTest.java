package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vltava.kafka.BrokerServices;
import io.vltava.kafka.KafkaSocket;
import io.vltava.log.PartitionLog;
import io.vltava.metadata.PartitionState;
import io.vltava.metadata.TopicState;
import io.vltava.replica.LocalReplica;
import io.vltava.testkit.VltavaCluster;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk under one partition replica: its log directory on the leader's node is a small
 * tmpfs, filled until writes fail with ENOSPC. The replica goes offline visibly (KAFKA_STORAGE_ERROR to
 * Produce, Fetch and ListOffsets, DescribeLogDirs reports the dir), leadership and the ISR move
 * away, other partitions on the node keep working, and once space is freed the replica recovers its
 * log, catches up, rejoins the ISR and leads again, with every acknowledged record in place.
 * Mounting needs root (CI and the dev machine run tests as root).
 */
@Tag("slow")
class StorageFailureTest {
  private static final Map<String, Object> SETTINGS = Map.of(
      "vltava.replication.replica.lag.time.max.ms", 3000,
      "vltava.replication.replica.storage.retry.backoff.ms", 200,
      "vltava.replication.replica.storage.retry.backoff.max.ms", 1000,
      // No checkpoint during the test: the first write to meet the full disk is an append.
      "vltava.replication.replica.high.watermark.checkpoint.interval.ms", 600_000,
      "vltava.topic-defaults.min.insync.replicas", 2);
  private static final int RECORD_BYTES = 8 * 1024;

  @TempDir Path baseDir;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aFullDiskTakesOneReplicaOfflineVisiblyAndItComesBackWithoutLosingAcknowledgedRecords() throws Exception {
    List<Path> mounted = new ArrayList<>();
    try (VltavaCluster cluster = VltavaCluster.start(3, baseDir, SETTINGS);
        Admin admin = Admin.create(TestNodes.adminProps(cluster.bootstrapServers()))) {
      // Every replica of "full" lives on a tmpfs of its own; only the leader's is filled.
      for (int id = 1; id <= 3; id++) {
        Path logDir = cluster.dataDir(id).resolve("full-0");
        Files.createDirectories(logDir);
        mountTmpfs(logDir, "2m");
        mounted.add(logDir);
      }
      admin.createTopics(List.of(new NewTopic("full", 1, (short) 3), new NewTopic("healthy", 3, (short) 3))).all().get();
      cluster.awaitFullIsr("healthy");
      cluster.awaitFullIsr("full");
      TopicPartition full = new TopicPartition("full", 0);
      int leader = cluster.metadata().topic("full").orElseThrow().partitions().get(0).leader();
      Path logDir = cluster.dataDir(leader).resolve("full-0");
      List<PartitionState> healthyPartitions = cluster.metadata().topic("healthy").orElseThrow().partitions();
      int healthyIndex = 0;
      while (healthyPartitions.get(healthyIndex).leader() != leader) {
        healthyIndex++;
      }
      TopicPartition healthy = new TopicPartition("healthy", healthyIndex);
      TreeMap<Long, String> acknowledged = new TreeMap<>();

      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(cluster))) {
        sendAndAcknowledge(producer, full, "before", 20, acknowledged);

        fillUp(logDir);
        try (KafkaSocket socket = new KafkaSocket(cluster.node(leader).kafkaAddress())) {
          // Appends that still fit the last page succeed; the first that needs a new one fails.
          Errors firstFailure = Errors.NONE;
          for (int i = 0; i < 200 && firstFailure == Errors.NONE; i++) {
            var answer = produce(socket, cluster, "direct-" + i, ApiKeys.PRODUCE.latestVersion(), 100 + i);
            firstFailure = Errors.forCode(answer.errorCode());
            if (firstFailure == Errors.NONE) {
              acknowledged.put(answer.baseOffset(), "direct-" + i);
            }
          }
          assertEquals(Errors.KAFKA_STORAGE_ERROR, firstFailure, "the append that met the full disk");

          PartitionState moved = cluster.awaitMetadata(s -> {
            PartitionState p = s.topic("full").orElseThrow().partitions().get(0);
            return p.leader() != leader && p.hasLeader() && !p.isr().contains(leader);
          }, Duration.ofSeconds(30)).topic("full").orElseThrow().partitions().get(0);
          assertEquals(2, moved.isr().size(), "the other two replicas stay in sync: " + moved);

          LocalReplica offline = cluster.node(leader).localReplica(full).orElseThrow();
          assertNotNull(offline.storageError(), "the replica is offline while its disk is full");
          assertEquals(Errors.KAFKA_STORAGE_ERROR.code(), produce(socket, cluster, "refused", (short) 9, 400).errorCode());
          assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), produce(socket, cluster, "refused", (short) 3, 401).errorCode(),
              "Produce v3 cannot carry KAFKA_STORAGE_ERROR");
          assertEquals(Errors.KAFKA_STORAGE_ERROR.code(), fetchError(socket, cluster, (short) 12, 402));
          assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), fetchError(socket, cluster, (short) 5, 403),
              "Fetch v5 cannot carry KAFKA_STORAGE_ERROR");
          assertEquals(Errors.KAFKA_STORAGE_ERROR.code(), listOffsetsError(socket, 404));
        }

        LogDirDescription dir = admin.describeLogDirs(List.of(leader)).descriptions().get(leader).get().values().iterator().next();
        assertInstanceOf(KafkaStorageException.class, dir.error());
        assertFalse(dir.replicaInfos().containsKey(full), "the offline replica is not listed");
        assertTrue(dir.replicaInfos().containsKey(healthy));

        // The node and its other partitions stay up: it still leads a partition of "healthy" and takes writes.
        TreeMap<Long, String> healthyAcknowledged = new TreeMap<>();
        sendAndAcknowledge(producer, healthy, "healthy", 10, healthyAcknowledged);
        assertEquals(leader, cluster.metadata().topic("healthy").orElseThrow().partitions().get(healthyIndex).leader());
        assertEquals(10, healthyAcknowledged.size());

        sendAndAcknowledge(producer, full, "while-offline", 20, acknowledged);

        Files.delete(logDir.resolve("filler"));
        PartitionState back = cluster.awaitMetadata(s -> {
          PartitionState p = s.topic("full").orElseThrow().partitions().get(0);
          return p.isr().contains(leader) && p.leader() == leader;
        }, Duration.ofSeconds(60)).topic("full").orElseThrow().partitions().get(0);
        assertEquals(List.of(1, 2, 3), back.isr().stream().sorted().toList(), "rejoined the ISR and, as preferred replica, leads");
        assertEquals(null, cluster.node(leader).localReplica(full).orElseThrow().storageError());
        sendAndAcknowledge(producer, full, "after", 20, acknowledged);
      }

      assertEquals(acknowledged, readAll(cluster, full, acknowledged.lastKey() + 1), "every acknowledged record, at its offset");
      assertReplicasIdentical(cluster, full, leader);
    } finally {
      for (Path dir : mounted) {
        // Lazy: a log file still open (a cleaner or reader finishing) must not leave the mount behind the temp dir.
        run("umount", "-l", dir.toString());
      }
    }
  }

  private static void mountTmpfs(Path dir, String size) throws Exception {
    int exit = run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
    if (exit != 0) {
      fail("mounting a " + size + " tmpfs on " + dir + " failed (exit " + exit + "): this test needs root to cause a real ENOSPC");
    }
  }

  private static int run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).inheritIO().start();
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
    return process.exitValue();
  }

  /** Writes zeros into {@code dir} until the file system refuses: the disk is full. */
  private static void fillUp(Path dir) throws IOException {
    byte[] chunk = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(dir.resolve("filler"))) {
      for (int i = 0; i < 10_000; i++) {
        out.write(chunk);
      }
      fail("a 2 MiB tmpfs took 640 MiB");
    } catch (IOException expected) {
      assertTrue(String.valueOf(expected.getMessage()).contains("No space left"), expected.toString());
    }
  }

  private static java.util.Properties producerProps(VltavaCluster cluster) {
    java.util.Properties props = TestNodes.producerProps(cluster.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    return props;
  }

  /** Sends {@code count} records one at a time and records each acknowledged one at its offset. */
  private static void sendAndAcknowledge(
      KafkaProducer<byte[], byte[]> producer, TopicPartition partition, String prefix, int count, Map<Long, String> acknowledged)
      throws Exception {
    for (int i = 0; i < count; i++) {
      String value = prefix + "-" + i;
      RecordMetadata sent = producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), null, padded(value)))
          .get(60, TimeUnit.SECONDS);
      acknowledged.put(sent.offset(), value);
    }
  }

  /** The value, padded to {@link #RECORD_BYTES} so that appends soon need a new page of the tmpfs. */
  private static byte[] padded(String value) {
    byte[] bytes = Arrays.copyOf(value.getBytes(StandardCharsets.UTF_8), RECORD_BYTES);
    bytes[value.length()] = '|';
    return bytes;
  }

  private static String unpadded(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    return text.substring(0, text.indexOf('|'));
  }

  private static ProduceResponseData.PartitionProduceResponse produce(
      KafkaSocket socket, VltavaCluster cluster, String value, short version, int correlationId) throws IOException {
    String topic = "full";
    TopicState state = cluster.metadata().topic(topic).orElseThrow();
    ProduceRequestData request = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000);
    ProduceRequestData.TopicProduceData topicData = new ProduceRequestData.TopicProduceData()
        .setTopicId(BrokerServices.toKafka(state.topicId())).setName(topic);
    topicData.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0)
        .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(padded(value)))));
    request.topicData().add(topicData);
    ProduceResponse response = socket.roundTrip(new ProduceRequest.Builder(version, version, request), version, correlationId);
    return response.data().responses().iterator().next().partitionResponses().get(0);
  }

  private static short fetchError(KafkaSocket socket, VltavaCluster cluster, short version, int correlationId) throws IOException {
    TopicState state = cluster.metadata().topic("full").orElseThrow();
    Map<TopicPartition, FetchRequest.PartitionData> wanted = Map.of(new TopicPartition("full", 0), new FetchRequest.PartitionData(
        BrokerServices.toKafka(state.topicId()), 0, 0, 1 << 20, Optional.empty(), Optional.empty()));
    FetchResponse response = socket.roundTrip(FetchRequest.Builder.forConsumer(version, 0, 1, wanted), version, correlationId);
    return response.data().responses().get(0).partitions().get(0).errorCode();
  }

  private static short listOffsetsError(KafkaSocket socket, int correlationId) throws IOException {
    ListOffsetsRequestData.ListOffsetsTopic topic = new ListOffsetsRequestData.ListOffsetsTopic().setName("full");
    topic.partitions().add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0)
        .setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP));
    ListOffsetsResponse response = socket.roundTrip(
        ListOffsetsRequest.Builder.forConsumer(false, IsolationLevel.READ_UNCOMMITTED).setTargetTimes(List.of(topic)), correlationId);
    return response.data().topics().get(0).partitions().get(0).errorCode();
  }

  /** Every record below {@code endOffset}, by offset, read by a consumer from the current leader. */
  private static TreeMap<Long, String> readAll(VltavaCluster cluster, TopicPartition partition, long endOffset) {
    TreeMap<Long, String> read = new TreeMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(TestNodes.consumerProps(cluster.bootstrapServers()))) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (consumer.position(partition) < endOffset && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          read.put(record.offset(), unpadded(record.value()));
        }
      }
    }
    return read;
  }

  /** The recovered and caught-up log holds the same batches as the others, byte for byte. */
  private static void assertReplicasIdentical(VltavaCluster cluster, TopicPartition partition, int leader) throws Exception {
    long highWatermark = cluster.node(leader).localReplica(partition).orElseThrow().highWatermark();
    byte[] expected = null;
    for (int id = 1; id <= 3; id++) {
      PartitionLog log = cluster.node(id).localReplica(partition).orElseThrow().log();
      assertNotNull(log, "node " + id + "'s log is open");
      byte[] bytes = TestNodes.logBytes(log, highWatermark);
      if (expected == null) {
        expected = bytes;
      } else {
        assertArrayEquals(expected, bytes, "node " + id + "'s replica");
      }
    }
  }
}
