package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.log.PartitionLog;
import io.vltava.metadata.ClusterState;
import io.vltava.metadata.PartitionState;
import io.vltava.replica.LocalReplica;
import io.vltava.testkit.VltavaCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Three nodes, RF 3, min.insync.replicas 2: acks, ISR changes, failover without losing acknowledged writes. */
class ReplicationTest {
  private static final Map<String, Object> SETTINGS = Map.of(
      "vltava.replication.replica.lag.time.max.ms", 4000,
      "vltava.topic-defaults.min.insync.replicas", 2);

  @TempDir Path baseDir;

  @Test
  void acksAllSurvivesRepeatedLeaderCrashesWithEveryAcknowledgedRecordOnceAndInOrder() throws Exception {
    try (VltavaCluster cluster = VltavaCluster.start(3, baseDir, SETTINGS)) {
      TopicPartition partition = createTopic(cluster, "durable");
      List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
      AtomicBoolean producing = new AtomicBoolean(true);
      // A flush every 50 records paces the producer so the crashes land among in-flight sends.
      Thread producer = new Thread(
          () -> TestNodes.produceUntilStopped(cluster.bootstrapServers(), partition, producing, acknowledged, 5, 5_000, 50));
      producer.start();
      try {
        for (int round = 0; round < 2; round++) {
          awaitAcknowledged(acknowledged, (round + 1) * 200);
          int leader = leaderOf(cluster, partition);
          cluster.crash(leader);
          cluster.awaitMetadata(s -> partitionState(s, partition).hasLeader() && partitionState(s, partition).leader() != leader,
              Duration.ofSeconds(60));
          cluster.restart(leader);
          cluster.awaitFullIsr(partition.topic());
        }
        awaitAcknowledged(acknowledged, 600);
      } finally {
        producing.set(false);
        producer.join(120_000);
      }
      // A leader elected moments ago raises its high watermark as followers fetch; read once it covers the log.
      assertReplicasIdentical(cluster, partition);
      awaitHighWatermarkAtLogEnd(cluster, partition);
      List<String> log = consumeAll(cluster.bootstrapServers(), partition);
      List<String> inLogOrder = new ArrayList<>(log);
      assertEquals(log.size(), new java.util.HashSet<>(log).size(), "no record twice");
      assertTrue(log.containsAll(acknowledged), "every acknowledged record is there");
      List<String> acknowledgedInLogOrder = inLogOrder.stream().filter(acknowledged::contains).toList();
      assertEquals(sortedByIndex(acknowledgedInLogOrder), acknowledgedInLogOrder, "in the order they were sent");
      assertReplicasIdentical(cluster, partition);
    }
  }

  @Test
  @Timeout(300)
  void followersReplicateManyPartitionsInIncrementalFetchSessions() throws Exception {
    try (VltavaCluster cluster = VltavaCluster.start(3, baseDir, SETTINGS)) {
      int partitionCount = 30;
      try (Admin admin = Admin.create(TestNodes.adminProps(cluster.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic("sessions", partitionCount, (short) 3))).all().get();
      }
      cluster.awaitFullIsr("sessions");
      Properties props = TestNodes.producerProps(cluster.bootstrapServers());
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
        for (int round = 0; round < 20; round++) {
          for (int p = 0; p < partitionCount; p++) {
            producer.send(new ProducerRecord<>("sessions", p, null, ("p" + p + "-" + round).getBytes(StandardCharsets.UTF_8)));
          }
        }
        producer.flush();
      }
      for (int p = 0; p < partitionCount; p++) {
        assertReplicasIdentical(cluster, new TopicPartition("sessions", p));
      }
      // Each leader holds one session per follower, caching exactly the partitions that follower
      // follows there: the followers fetch incrementally.
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        ClusterState state = cluster.metadata();
        for (int id = 1; id <= 3; id++) {
          int leader = id;
          long followed = state.topics().values().stream().flatMap(topic -> topic.partitions().stream())
              .filter(p -> p.leader() == leader).mapToLong(p -> p.replicas().size() - 1).sum();
          assertEquals(followed, cluster.node(id).fetchSessions().cachedPartitions(), "partitions in node " + id + "'s sessions");
          assertEquals(2, cluster.node(id).fetchSessions().size(), "node " + id + " has a session per follower");
        }
      });
      assertEquals(List.of("p7-0", "p7-1", "p7-2"), consumeAll(cluster.bootstrapServers(), new TopicPartition("sessions", 7)).subList(0, 3));
    }
  }

  @Test
  void acksAllNeedsMinInsyncReplicasAndRecoversWhenTheyReturn() throws Exception {
    try (VltavaCluster cluster = VltavaCluster.start(3, baseDir, SETTINGS)) {
      TopicPartition partition = createTopic(cluster, "quorum");
      int leader = leaderOf(cluster, partition);
      List<Integer> followers = new ArrayList<>(List.of(1, 2, 3));
      followers.remove(Integer.valueOf(leader));
      for (int follower : followers) {
        cluster.stop(follower);
      }
      cluster.awaitMetadata(s -> partitionState(s, partition).isr().equals(List.of(leader)), Duration.ofSeconds(30));

      String bootstrap = "127.0.0.1:" + cluster.node(leader).kafkaAddress().getPort();
      ExecutionException refused = assertThrows(ExecutionException.class, () -> send(bootstrap, partition, "all", "lonely"));
      assertInstanceOf(NotEnoughReplicasException.class, refused.getCause());
      assertEquals(0, send(bootstrap, partition, "1", "acks-one"), "acks=1 needs only the leader");

      for (int follower : followers) {
        cluster.restart(follower);
      }
      cluster.awaitFullIsr(partition.topic());
      assertEquals(1, send(cluster.bootstrapServers(), partition, "all", "together-again"));
      assertReplicasIdentical(cluster, partition);
    }
  }

  @Test
  void aStalledFollowerLeavesTheIsrAndRejoinsOnceCaughtUp() throws Exception {
    try (VltavaCluster cluster = VltavaCluster.start(3, baseDir, SETTINGS)) {
      TopicPartition partition = createTopic(cluster, "laggard");
      int leader = leaderOf(cluster, partition);
      int stalled = leader % 3 + 1;
      cluster.node(stalled).pauseReplication(true);
      for (int i = 0; i < 50; i++) {
        send(cluster.bootstrapServers(), partition, "all", "while-stalled-" + i);
      }
      cluster.awaitMetadata(s -> !partitionState(s, partition).isr().contains(stalled), Duration.ofSeconds(30));

      cluster.node(stalled).pauseReplication(false);
      cluster.awaitMetadata(s -> partitionState(s, partition).isr().contains(stalled), Duration.ofSeconds(30));
      assertReplicasIdentical(cluster, partition);
    }
  }

  @Test
  void aDeposedLeadersDivergentTailIsTruncatedByEpoch() throws Exception {
    try (VltavaCluster cluster = VltavaCluster.start(3, baseDir, SETTINGS)) {
      TopicPartition partition = createTopic(cluster, "divergent");
      assertEquals(0, send(cluster.bootstrapServers(), partition, "all", "committed"));
      cluster.awaitFullIsr(partition.topic());
      int oldLeader = leaderOf(cluster, partition);
      String oldLeaderAddress = "127.0.0.1:" + cluster.node(oldLeader).kafkaAddress().getPort();
      for (int id = 1; id <= 3; id++) {
        if (id != oldLeader) {
          cluster.node(id).pauseReplication(true);
        }
      }
      // acks=1: only the leader has these; no follower fetched them.
      send(oldLeaderAddress, partition, "1", "divergent-0", "divergent-1", "divergent-2", "divergent-3", "divergent-4");
      assertEquals(6, cluster.node(oldLeader).localReplica(partition).orElseThrow().log().logEndOffset());
      cluster.crash(oldLeader);
      ClusterState afterFailover = cluster.awaitMetadata(
          s -> partitionState(s, partition).hasLeader() && partitionState(s, partition).leader() != oldLeader, Duration.ofSeconds(60));
      for (int id = 1; id <= 3; id++) {
        if (id != oldLeader) {
          cluster.node(id).pauseReplication(false);
        }
      }
      int newLeader = partitionState(afterFailover, partition).leader();
      cluster.awaitMetadata(st -> partitionState(st, partition).isr().size() == 2, Duration.ofSeconds(30));
      String newLeaderAddress = "127.0.0.1:" + cluster.node(newLeader).kafkaAddress().getPort();
      assertEquals(1, send(newLeaderAddress, partition, "all", "new-leader-0"));
      assertEquals(2, send(newLeaderAddress, partition, "all", "new-leader-1"));

      cluster.restart(oldLeader);
      cluster.awaitFullIsr(partition.topic());
      List<String> values = consumeAll(cluster.bootstrapServers(), partition);
      assertEquals(List.of("committed", "new-leader-0", "new-leader-1"), values);
      assertReplicasIdentical(cluster, partition);
    }
  }

  @Test
  void losingTheControllersNodeWhileItsLeadersNeedReplacingEndsWithOneLeaderPerPartition() throws Exception {
    try (VltavaCluster cluster = VltavaCluster.start(3, baseDir, SETTINGS)) {
      try (Admin admin = Admin.create(TestNodes.adminProps(cluster.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic("election", 3, (short) 3))).all().get();
      }
      ClusterState before = cluster.awaitFullIsr("election");
      int controller = before.controllerId();
      assertTrue(before.topic("election").orElseThrow().partitions().stream().anyMatch(p -> p.leader() == controller),
          "the controller's node leads a partition, so its loss needs both a new controller and an election");

      cluster.crash(controller);
      ClusterState after = cluster.awaitMetadata(s -> s.controllerId() != controller && s.controllerId() != -1
          && s.topic("election").orElseThrow().partitions().stream().allMatch(p -> p.hasLeader() && p.leader() != controller),
          Duration.ofSeconds(60));
      assertTrue(after.controllerEpoch() > before.controllerEpoch());
      for (PartitionState p : after.topic("election").orElseThrow().partitions()) {
        assertTrue(p.isr().contains(p.leader()), "the leader is in sync: " + p);
        assertFalse(p.isr().contains(controller), "the lost broker left the ISR: " + p);
        assertTrue(p.leaderEpoch() > 0 || p.replicas().get(0) != controller);
      }
      for (int id = 1; id <= 3; id++) {
        if (id != controller) {
          assertEquals(after.topic("election"), cluster.node(id).metadata().current().topic("election"), "node " + id + " agrees");
        }
      }
      assertEquals(0, send(cluster.bootstrapServers(), new TopicPartition("election", 0), "all", "after-failover"));
    }
  }

  @Test
  @Timeout(180)
  void aStoppingLeaderAnswersItsWaitingAcksAllProducesWithNotLeader() throws Exception {
    try (VltavaCluster cluster = VltavaCluster.start(3, baseDir, SETTINGS)) {
      TopicPartition partition = createTopic(cluster, "resign");
      int leader = leaderOf(cluster, partition);
      for (int id = 1; id <= 3; id++) {
        if (id != leader) {
          cluster.node(id).pauseReplication(true);
        }
      }
      Properties props = TestNodes.producerProps("127.0.0.1:" + cluster.node(leader).kafkaAddress().getPort());
      props.put(ProducerConfig.ACKS_CONFIG, "all");
      props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
      props.put(ProducerConfig.RETRIES_CONFIG, 0);
      props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 60_000);
      props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 90_000);
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
        java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> waiting =
            producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), null, "waits".getBytes(StandardCharsets.UTF_8)));
        // The followers fetch nothing, so the write waits at the leader for the ISR.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
            .until(() -> cluster.node(leader).localReplica(partition).orElseThrow().log().logEndOffset() == 1);
        cluster.stop(leader);
        // Answered, not cut off: a client told NOT_LEADER_OR_FOLLOWER goes to the new leader at once.
        ExecutionException failure = assertThrows(ExecutionException.class, () -> waiting.get(60, java.util.concurrent.TimeUnit.SECONDS));
        assertInstanceOf(org.apache.kafka.common.errors.NotLeaderOrFollowerException.class, failure.getCause());
      }
    }
  }

  private static TopicPartition createTopic(VltavaCluster cluster, String topic) throws Exception {
    try (Admin admin = Admin.create(TestNodes.adminProps(cluster.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 3))).all().get();
    }
    cluster.awaitFullIsr(topic);
    return new TopicPartition(topic, 0);
  }

  private static PartitionState partitionState(ClusterState state, TopicPartition partition) {
    return state.topic(partition.topic()).orElseThrow().partitions().get(partition.partition());
  }

  private static int leaderOf(VltavaCluster cluster, TopicPartition partition) throws InterruptedException {
    return partitionState(cluster.awaitMetadata(s -> partitionState(s, partition).hasLeader(), Duration.ofSeconds(30)), partition).leader();
  }

  /** Sends records in order through one producer and returns the last one's offset. */
  private static long send(String bootstrap, TopicPartition partition, String acks, String... values) throws Exception {
    Properties props = TestNodes.producerProps(bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, acks);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    props.put(ProducerConfig.RETRIES_CONFIG, 0);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
    long offset = -1;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      for (String value : values) {
        offset = producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), null,
            value.getBytes(StandardCharsets.UTF_8))).get().offset();
      }
    }
    return offset;
  }

  private static void awaitHighWatermarkAtLogEnd(VltavaCluster cluster, TopicPartition partition) throws Exception {
    int leader = leaderOf(cluster, partition);
    LocalReplica replica = cluster.node(leader).localReplica(partition).orElseThrow();
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
        .until(() -> replica.highWatermark() == replica.log().logEndOffset());
  }

  private static void awaitAcknowledged(List<String> acknowledged, int count) {
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> acknowledged.size() >= count);
  }

  private static List<String> sortedByIndex(List<String> values) {
    return values.stream().sorted(java.util.Comparator.comparingInt(v -> Integer.parseInt(v.substring(v.indexOf('-') + 1)))).toList();
  }

  private static List<String> consumeAll(String bootstrap, TopicPartition partition) throws Exception {
    List<String> values = new ArrayList<>();
    try (Admin admin = Admin.create(TestNodes.adminProps(bootstrap));
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(TestNodes.consumerProps(bootstrap))) {
      long end = admin.listOffsets(Map.of(partition, org.apache.kafka.clients.admin.OffsetSpec.latest())).all().get().get(partition).offset();
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (consumer.position(partition) < end && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(new String(record.value(), StandardCharsets.UTF_8));
        }
      }
      assertFalse(consumer.position(partition) < end, "read up to the high watermark " + end);
    }
    return values;
  }

  /** Every replica's log holds the same bytes up to the high watermark, once followers caught up. */
  private static void assertReplicasIdentical(VltavaCluster cluster, TopicPartition partition) throws Exception {
    cluster.awaitFullIsr(partition.topic());
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
      long end = -1;
      for (int id = 1; id <= 3; id++) {
        PartitionLog log = cluster.node(id).localReplica(partition).map(LocalReplica::log).orElse(null);
        if (log == null || (end != -1 && log.logEndOffset() != end)) {
          return false;
        }
        end = log.logEndOffset();
      }
      return true;
    });
    byte[] first = null;
    for (int id = 1; id <= 3; id++) {
      byte[] bytes = TestNodes.logBytes(cluster.node(id).localReplica(partition).orElseThrow().log());
      if (first == null) {
        first = bytes;
      } else {
        assertArrayEquals(first, bytes, "node " + id + " holds the same batches as node 1");
      }
    }
    assertTrue(first.length > 0);
  }
}
