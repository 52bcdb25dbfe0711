package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.log.PartitionLog;
import io.vltava.metadata.ClusterState;
import io.vltava.metadata.PartitionState;
import io.vltava.replica.LocalReplica;
import io.vltava.testkit.VltavaTestKit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka 4.3.1's own kafka-reassign-partitions (--generate, --execute --throttle, --list, --verify,
 * --cancel) against real nodes: a partition moves off its leader onto a spare broker while an
 * idempotent acks=all producer and a consumer run, a replication factor grows from 1 to 3, a node
 * is emptied for retirement, and a throttled move survives a controller failover and is cancelled.
 */
@Tag("slow")
@Timeout(300)
class ReassignPartitionsToolTest {
  /** Bytes per second the new replicas may fetch while catching up. */
  private static final long THROTTLE_BYTES_PER_SECOND = 100_000;
  /** What the moved partition holds before the move: several seconds of catch-up at the throttle. */
  private static final int PRELOAD_RECORDS = 2_000;
  private static final int PRELOAD_RECORD_BYTES = 1_000;

  @TempDir Path workDir;

  @Test
  void movesAPartitionOffItsLeaderAndGrowsAReplicationFactorWithoutLosingAnAcknowledgedRecord() throws Exception {
    try (VltavaTestKit kit = VltavaTestKit.start(3)) {
      kit.createTopic("moving", 1, 2, Map.of("min.insync.replicas", "2"));
      kit.createTopic("growing", 1, 1);
      TopicPartition moving = new TopicPartition("moving", 0);
      TopicPartition growing = new TopicPartition("growing", 0);
      PartitionState before = partition(kit.cluster().metadata(), moving);
      int oldLeader = before.leader();
      int keeper = before.replicas().stream().filter(r -> r != oldLeader).findFirst().orElseThrow();
      int newcomer = List.of(1, 2, 3).stream().filter(r -> !before.replicas().contains(r)).findFirst().orElseThrow();
      int growingLeader = kit.leaderOf(growing);
      List<Integer> growingTarget = new ArrayList<>(List.of(growingLeader));
      List.of(1, 2, 3).stream().filter(r -> r != growingLeader).forEach(growingTarget::add);
      preload(kit.bootstrapServers(), moving, growing);
      // The growing topic's log no longer starts at 0: its new replicas must start where the leader's does.
      long growingStart = PRELOAD_RECORDS / 4 + 1;
      kit.admin().deleteRecords(Map.of(growing, RecordsToDelete.beforeOffset(growingStart))).all().get();

      List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
      List<String> consumed = Collections.synchronizedList(new ArrayList<>());
      AtomicBoolean producing = new AtomicBoolean(true);
      AtomicLong consumeUntil = new AtomicLong(Long.MAX_VALUE);
      // Small flushed batches, one acknowledged at a time, keep the rate far below the throttle.
      Thread producer = new Thread(() -> TestNodes.produceUntilStopped(kit.bootstrapServers(), moving, producing, acknowledged, 20, 20_000, 20));
      Thread consumer = new Thread(() -> consume(kit.bootstrapServers(), moving, consumeUntil, consumed));
      producer.start();
      consumer.start();
      try {
        Path plan = write("plan.json", "{\"version\":1,\"partitions\":["
            + "{\"topic\":\"moving\",\"partition\":0,\"replicas\":" + json(List.of(newcomer, keeper)) + "},"
            + "{\"topic\":\"growing\",\"partition\":0,\"replicas\":" + json(growingTarget) + "}]}");
        int acknowledgedBeforeTheMove = acknowledged.size();
        KafkaTools.Result executed = tool(kit, "--execute", "--reassignment-json-file", plan.toString(),
            "--throttle", String.valueOf(THROTTLE_BYTES_PER_SECOND));
        long executedAtMs = System.currentTimeMillis();
        assertTrue(executed.stdout().contains("The inter-broker throttle limit was set to " + THROTTLE_BYTES_PER_SECOND + " B/s"),
            executed.stdout());
        assertTrue(executed.stdout().contains("Successfully started partition reassignments for growing-0,moving-0"), executed.stdout());
        awaitConfig(() -> topicConfig(kit, "moving", "follower.replication.throttled.replicas"), "0:" + newcomer);
        awaitConfig(() -> brokerConfig(kit, newcomer, "follower.replication.throttled.rate"), String.valueOf(THROTTLE_BYTES_PER_SECOND));

        KafkaTools.Result listed = tool(kit, "--list");
        assertTrue(listed.stdout().contains("moving-0: replicas: " + newcomer + "," + keeper + "," + oldLeader
            + ". adding: " + newcomer + ". removing: " + oldLeader + "."), "the move is in progress: " + listed.stdout());

        kit.cluster().awaitMetadata(s -> partition(s, moving).isr().contains(newcomer), Duration.ofSeconds(120));
        long catchUpMs = System.currentTimeMillis() - executedAtMs;
        long preloadBytes = (long) PRELOAD_RECORDS * PRELOAD_RECORD_BYTES;
        // Unthrottled, 2 MB catch up in well under a second here; the budget allows one second's burst.
        assertTrue(catchUpMs >= (preloadBytes - 2 * THROTTLE_BYTES_PER_SECOND) * 1000 / THROTTLE_BYTES_PER_SECOND / 2,
            "the throttle held the newcomer back: caught up after " + catchUpMs + " ms");

        awaitVerified(kit, plan);
        // --verify removed the throttles
        awaitConfig(() -> topicConfig(kit, "moving", "follower.replication.throttled.replicas"), "");
        awaitConfig(() -> brokerConfig(kit, newcomer, "follower.replication.throttled.rate"), String.valueOf(Long.MAX_VALUE));
        assertTrue(tool(kit, "--list").stdout().contains("No partition reassignments found."));

        assertTrue(acknowledged.size() > acknowledgedBeforeTheMove, "acks=all produces went on during the move");
      } finally {
        producing.set(false);
        producer.join(120_000);
      }

      ClusterState after = kit.awaitFullIsr("moving");
      PartitionState moved = partition(after, moving);
      assertEquals(List.of(newcomer, keeper), moved.replicas());
      assertFalse(moved.isReassigning());
      assertNotEquals(oldLeader, moved.leader(), "the removed leader handed over");
      assertTrue(moved.leaderEpoch() > before.leaderEpoch());
      PartitionState grown = partition(kit.awaitFullIsr("growing"), growing);
      assertEquals(growingTarget, grown.replicas());
      assertEquals(new HashSet<>(growingTarget), new HashSet<>(grown.isr()));
      assertEquals(growingLeader, grown.leader(), "growing keeps its leader");

      Path removedDir = kit.cluster().dataDir(oldLeader).resolve("moving-0");
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(removedDir));
      assertTrue(kit.node(oldLeader).localReplica(moving).isEmpty());

      assertReplicasIdentical(kit, moving, moved.replicas());
      assertReplicasIdentical(kit, growing, grown.replicas());
      // A new replica starts at the leader's batch that holds the leader's log start: batches are never split.
      long firstBatchBase = kit.node(growingLeader).localReplica(growing).orElseThrow().log().read(growingStart, 1, Long.MAX_VALUE)
          .records().batches().iterator().next().baseOffset();
      assertTrue(firstBatchBase > 0, "small preload batches: the deleted head is more than one batch");
      for (int id : grown.replicas()) {
        long logStart = kit.node(id).localReplica(growing).orElseThrow().log().logStartOffset();
        assertEquals(id == growingLeader ? growingStart : firstBatchBase, logStart, "node " + id + " copied from the leader's log start");
      }

      long end = kit.node(moved.leader()).localReplica(moving).orElseThrow().highWatermark();
      consumeUntil.set(end);
      consumer.join(120_000);
      List<String> values = List.copyOf(consumed).stream().filter(v -> v.startsWith("value-")).toList();
      assertEquals(values.size(), new HashSet<>(values).size(), "no record twice");
      assertTrue(values.containsAll(acknowledged), "every acknowledged record is there: " + acknowledged.size() + " acknowledged");
      assertEquals(sortedByIndex(values), values, "in the order they were sent");
      assertEquals(PRELOAD_RECORDS, consumed.stream().filter(v -> v.startsWith("preload-")).count());
    }
  }

  @Test
  void generateProposesMovingEveryReplicaOffARetiringNodeAndExecuteDoesIt() throws Exception {
    try (VltavaTestKit kit = VltavaTestKit.start(3)) {
      kit.createTopic("spread", 3, 2);
      int retiring = 3;
      Path topicsJson = write("topics.json", "{\"version\":1,\"topics\":[{\"topic\":\"spread\"}]}");
      String generated = tool(kit, "--generate", "--topics-to-move-json-file", topicsJson.toString(), "--broker-list", "1,2").stdout();
      assertTrue(generated.contains("Current partition replica assignment"), generated);
      String marker = "Proposed partition reassignment configuration";
      assertTrue(generated.contains(marker), generated);
      String proposal = generated.substring(generated.indexOf(marker) + marker.length()).trim().lines().findFirst().orElseThrow();
      assertTrue(proposal.startsWith("{\"version\":1,\"partitions\":["), proposal);

      Path proposalFile = write("proposal.json", proposal);
      tool(kit, "--execute", "--reassignment-json-file", proposalFile.toString());
      Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> {
        String output = tool(kit, "--verify", "--reassignment-json-file", proposalFile.toString()).stdout();
        return !output.contains("still in progress") && output.contains("Clearing broker-level throttles");
      });
      ClusterState after = kit.awaitFullIsr("spread");
      for (PartitionState p : after.topic("spread").orElseThrow().partitions()) {
        assertEquals(Set.of(1, 2), new HashSet<>(p.replicas()), "every partition lives on brokers 1 and 2: " + p);
        assertNotEquals(retiring, p.leader());
      }
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> kit.node(retiring).localReplica(new TopicPartition("spread", 0)).isEmpty()
          && kit.node(retiring).localReplica(new TopicPartition("spread", 1)).isEmpty()
          && kit.node(retiring).localReplica(new TopicPartition("spread", 2)).isEmpty());
      try (var dirs = Files.list(kit.cluster().dataDir(retiring))) {
        assertEquals(List.of(), dirs.map(d -> d.getFileName().toString()).filter(n -> n.startsWith("spread-")).toList(),
            "the retiring node holds no replica of the topic");
      }
    }
  }

  @Test
  void aThrottledMoveSurvivesAControllerFailoverAndCancelRevertsIt() throws Exception {
    try (VltavaTestKit kit = VltavaTestKit.start(4)) {
      kit.createTopic("parked", 1, 2);
      TopicPartition parked = new TopicPartition("parked", 0);
      PartitionState before = partition(kit.cluster().metadata(), parked);
      int controller = kit.controllerId();
      // The new replica goes to a broker that stays up, so its directory's removal can be watched.
      int newcomer = List.of(1, 2, 3, 4).stream().filter(r -> !before.replicas().contains(r) && r != controller).findFirst().orElseThrow();
      preload(kit.bootstrapServers(), parked, parked);
      List<Integer> target = List.of(newcomer, before.replicas().get(0));
      Path plan = write("plan.json",
          "{\"version\":1,\"partitions\":[{\"topic\":\"parked\",\"partition\":0,\"replicas\":" + json(target) + "}]}");
      // One byte per second: the newcomer fetches a batch and then waits; the move cannot finish.
      tool(kit, "--execute", "--reassignment-json-file", plan.toString(), "--throttle", "1");
      Path newcomerDir = kit.cluster().dataDir(newcomer).resolve("parked-0");
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(newcomerDir));

      kit.crash(controller);
      ClusterState afterFailover = kit.cluster().awaitMetadata(s -> s.controllerId() != controller && s.controllerId() != -1
          && partition(s, parked).hasLeader(), Duration.ofSeconds(60));
      assertEquals(List.of(newcomer), partition(afterFailover, parked).addingReplicas(), "the new controller continues the move");
      String listed = tool(kit, "--list").stdout();
      assertTrue(listed.contains("parked-0: replicas: "), listed);
      assertTrue(listed.contains("adding: " + newcomer + "."), listed);

      KafkaTools.Result cancelled = tool(kit, "--cancel", "--reassignment-json-file", plan.toString());
      assertTrue(cancelled.stdout().contains("Successfully cancelled partition reassignment for: parked-0"), cancelled.stdout());
      ClusterState reverted = kit.cluster().awaitMetadata(s -> !partition(s, parked).isReassigning(), Duration.ofSeconds(30));
      assertEquals(new HashSet<>(before.replicas()), new HashSet<>(partition(reverted, parked).replicas()));
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(newcomerDir));
      awaitConfig(() -> topicConfig(kit, "parked", "follower.replication.throttled.replicas"), ""); // --cancel removed the throttle
      assertTrue(tool(kit, "--list").stdout().contains("No partition reassignments found."));

      kit.cluster().restart(controller);
      PartitionState settled = partition(kit.awaitFullIsr("parked"), parked);
      assertReplicasIdentical(kit, parked, settled.replicas());
      assertEquals(PRELOAD_RECORDS * 2L, kit.node(settled.leader()).localReplica(parked).orElseThrow().highWatermark(),
          "every preloaded record is still there");
    }
  }

  private static PartitionState partition(ClusterState state, TopicPartition partition) {
    return state.topic(partition.topic()).orElseThrow().partitions().get(partition.partition());
  }

  private static KafkaTools.Result tool(VltavaTestKit kit, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("--bootstrap-server", kit.bootstrapServers()));
    all.addAll(Arrays.asList(args));
    return KafkaTools.run(KafkaTools.REASSIGN_PARTITIONS, all.toArray(String[]::new)).assertSuccess();
  }

  /** Runs --verify until it reports every move complete (and so clears the throttles). */
  private static void awaitVerified(VltavaTestKit kit, Path plan) {
    Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> {
      String output = tool(kit, "--verify", "--reassignment-json-file", plan.toString()).stdout();
      return output.contains("Reassignment of partition moving-0 is completed.")
          && output.contains("Reassignment of partition growing-0 is completed.")
          && output.contains("Clearing broker-level throttles");
    });
  }

  /** Configs reach every node's metadata shortly after the node that took the change; the admin may ask another. */
  private static void awaitConfig(java.util.concurrent.Callable<String> config, String expected) {
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(config, expected::equals);
  }

  private static String topicConfig(VltavaTestKit kit, String topic, String name) throws Exception {
    return config(kit, new ConfigResource(ConfigResource.Type.TOPIC, topic), name);
  }

  private static String brokerConfig(VltavaTestKit kit, int broker, String name) throws Exception {
    return config(kit, new ConfigResource(ConfigResource.Type.BROKER, String.valueOf(broker)), name);
  }

  private static String config(VltavaTestKit kit, ConfigResource resource, String name) throws Exception {
    Config config = kit.admin().describeConfigs(List.of(resource)).all().get().get(resource);
    ConfigEntry entry = config.get(name);
    return entry == null ? null : entry.value();
  }

  private Path write(String name, String content) throws Exception {
    return Files.writeString(workDir.resolve(name), content);
  }

  private static String json(List<Integer> replicas) {
    return "[" + String.join(",", replicas.stream().map(String::valueOf).toList()) + "]";
  }

  private static void preload(String bootstrap, TopicPartition moving, TopicPartition growing) throws Exception {
    byte[] padding = new byte[PRELOAD_RECORD_BYTES - 16];
    Arrays.fill(padding, (byte) 'x');
    Properties props = TestNodes.producerProps(bootstrap);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 2 * PRELOAD_RECORD_BYTES); // many batches, so a log can start inside the partition
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      for (int i = 0; i < PRELOAD_RECORDS; i++) {
        byte[] value = ("preload-" + i + ":" + new String(padding, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(moving.topic(), moving.partition(), null, value));
        producer.send(new ProducerRecord<>(growing.topic(), growing.partition(), null, ("growing-" + i).getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
  }

  /** Reads the partition from the start until its position reaches {@code until} (unbounded until the test sets it). */
  private static void consume(String bootstrap, TopicPartition partition, AtomicLong until, List<String> consumed) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(TestNodes.consumerProps(bootstrap))) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long deadline = System.nanoTime() + Duration.ofSeconds(280).toNanos();
      while (consumer.position(partition) < until.get() && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          String value = new String(record.value(), StandardCharsets.UTF_8);
          consumed.add(value.startsWith("preload-") ? value.substring(0, value.indexOf(':')) : value);
        }
      }
    }
  }

  private static void awaitAcknowledged(List<String> acknowledged, int count) {
    Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> acknowledged.size() >= count);
  }

  private static List<String> sortedByIndex(List<String> values) {
    return values.stream().sorted(java.util.Comparator.comparingInt(v -> Integer.parseInt(v.substring(v.indexOf('-') + 1)))).toList();
  }

  /** Every listed replica's log holds the leader's bytes up to the high watermark. */
  private static void assertReplicasIdentical(VltavaTestKit kit, TopicPartition partition, List<Integer> replicas) throws Exception {
    int leader = kit.leaderOf(partition);
    LocalReplica leaderReplica = kit.node(leader).localReplica(partition).orElseThrow();
    long highWatermark = leaderReplica.highWatermark();
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> replicas.stream().allMatch(id ->
        kit.node(id).localReplica(partition).map(LocalReplica::log).map(PartitionLog::logEndOffset).orElse(-1L) >= highWatermark));
    byte[] expected = TestNodes.logBytes(leaderReplica.log(), highWatermark);
    assertTrue(expected.length > 0);
    for (int id : replicas) {
      assertArrayEquals(expected, TestNodes.logBytes(kit.node(id).localReplica(partition).orElseThrow().log(), highWatermark),
          "node " + id + " holds the leader's batches up to the high watermark " + highWatermark);
    }
  }
}
