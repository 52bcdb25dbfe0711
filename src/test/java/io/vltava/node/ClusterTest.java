package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.metadata.ClusterState;
import io.vltava.metadata.PartitionState;
import io.vltava.metadata.TopicState;
import io.vltava.kafka.KafkaSocket;
import io.vltava.replica.PartitionLeader;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import io.vltava.testkit.VltavaCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three nodes in one JVM: placement, controller failover, metadata convergence, a broker crash. */
class ClusterTest {
  @TempDir Path baseDir;

  @Test
  void leadersSpreadOverAllNodesAndClientsReachEveryPartitionFromOneBootstrap() throws Exception {
    try (VltavaCluster cluster = VltavaCluster.start(3, baseDir)) {
      String bootstrap = "127.0.0.1:" + cluster.node(1).kafkaAddress().getPort();
      try (Admin admin = Admin.create(TestNodes.adminProps(bootstrap))) {
        admin.createTopics(List.of(new NewTopic("spread", 6, (short) 1))).all().get();
        TopicDescription description = admin.describeTopics(List.of("spread")).allTopicNames().get().get("spread");
        Map<Integer, Integer> leadersPerNode = new HashMap<>();
        description.partitions().forEach(p -> leadersPerNode.merge(p.leader().id(), 1, Integer::sum));
        assertEquals(Map.of(1, 2, 2, 2, 3, 2), leadersPerNode);
        for (var partition : description.partitions()) {
          TopicPartition tp = new TopicPartition("spread", partition.partition());
          for (int id = 1; id <= 3; id++) {
            assertEquals(partition.leader().id(), whoLeads(cluster.node(id), tp), "node " + id + " reaches the leader of " + tp);
          }
        }
      }
      assertNonLeaderPointsAtTheLeader(cluster);
      Map<TopicPartition, List<String>> sent = produce(bootstrap, "spread", 600);
      assertEquals(6, sent.size(), "every partition got records");
      assertEquals(sent, consume(bootstrap, "spread", 6, 600));
    }
  }

  @Test
  void aControllerOnlyNodeHoldsNoReplicas() throws Exception {
    try (VltavaCluster cluster = VltavaCluster.start(2, baseDir)) {
      VltavaNode controllerOnly = VltavaNode.start(NodeSettings.load(com.typesafe.config.ConfigFactory.parseMap(Map.of(
          "vltava.node-id", 9,
          "vltava.data-dir", baseDir.resolve("controller-only").toString(),
          "vltava.listener.port", 0,
          "vltava.http.port", 0,
          "vltava.cluster.roles", List.of("controller"),
          "vltava.cluster.seeds", List.of(cluster.node(1).system().address().getHost().get() + ":"
              + cluster.node(1).system().address().getPort().get())))));
      try {
        try (Admin admin = Admin.create(TestNodes.adminProps(cluster.bootstrapServers()))) {
          admin.createTopics(List.of(new NewTopic("brokers-only", 4, (short) 2))).all().get();
          assertEquals(Set.of(1, 2), Set.copyOf(admin.describeCluster().nodes().get().stream().map(n -> n.id()).toList()));
        }
        ClusterState state = cluster.awaitFullIsr("brokers-only");
        state.topic("brokers-only").orElseThrow().partitions()
            .forEach(p -> assertEquals(Set.of(1, 2), Set.copyOf(p.replicas())));
      } finally {
        controllerOnly.close();
      }
    }
  }

  @Test
  void metadataConvergesOnEveryNodeAfterAChange() throws Exception {
    try (VltavaCluster cluster = VltavaCluster.start(3, baseDir)) {
      try (Admin admin = Admin.create(TestNodes.adminProps(cluster.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic("converging", 4, (short) 1))).all().get();
      }
      ClusterState seen = cluster.awaitMetadata(state -> state.topic("converging").isPresent(), Duration.ofSeconds(5));
      for (int id = 1; id <= 3; id++) {
        try (Admin admin = Admin.create(TestNodes.adminProps("127.0.0.1:" + cluster.node(id).kafkaAddress().getPort()))) {
          TopicDescription description = admin.describeTopics(List.of("converging")).allTopicNames().get().get("converging");
          TopicState expected = seen.topic("converging").orElseThrow();
          for (int p = 0; p < 4; p++) {
            assertEquals(expected.partitions().get(p).leader(), description.partitions().get(p).leader().id(),
                "node " + id + " agrees on the leader of partition " + p);
          }
          assertEquals(Set.of(1, 2, 3), Set.copyOf(admin.describeCluster().nodes().get().stream().map(n -> n.id()).toList()));
          assertEquals(seen.controllerId(), admin.describeCluster().controller().get().id());
        }
      }
    }
  }

  @Test
  void controllerFailoverKeepsEveryTopicAndRaisesTheEpoch() throws Exception {
    try (VltavaCluster cluster = VltavaCluster.start(3, baseDir)) {
      try (Admin admin = Admin.create(TestNodes.adminProps(cluster.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic("before-failover", 3, (short) 1))).all().get();
      }
      ClusterState before = cluster.awaitMetadata(state -> state.topic("before-failover").isPresent(), Duration.ofSeconds(5));
      int oldController = before.controllerId();

      cluster.stop(oldController);
      ClusterState after = cluster.awaitMetadata(
          state -> state.controllerId() != oldController && state.controllerId() != -1, Duration.ofSeconds(60));
      assertTrue(after.controllerEpoch() > before.controllerEpoch());
      assertEquals(before.topic("before-failover").orElseThrow().topicId(), after.topic("before-failover").orElseThrow().topicId());

      int survivor = after.controllerId();
      try (Admin admin = Admin.create(TestNodes.adminProps("127.0.0.1:" + cluster.node(survivor).kafkaAddress().getPort()))) {
        admin.createTopics(List.of(new NewTopic("after-failover", 2, (short) 1))).all().get();
        assertTrue(admin.listTopics().names().get().containsAll(List.of("before-failover", "after-failover")));
      }
    }
  }

  @Test
  void aCrashedBrokersPartitionsGoOfflineAndComeBackWithTheirData() throws Exception {
    try (VltavaCluster cluster = VltavaCluster.start(3, baseDir)) {
      String bootstrap = cluster.bootstrapServers();
      try (Admin admin = Admin.create(TestNodes.adminProps(bootstrap))) {
        admin.createTopics(List.of(new NewTopic("fragile", 6, (short) 1))).all().get();
      }
      Map<TopicPartition, List<String>> sent = produce(bootstrap, "fragile", 300);
      int victim = cluster.controllerId() == 3 ? 2 : 3;
      cluster.crash(victim);

      ClusterState degraded = cluster.awaitMetadata(state -> !state.brokers().containsKey(victim), Duration.ofSeconds(60));
      Set<Integer> offline = new HashSet<>();
      List<PartitionState> partitions = degraded.topic("fragile").orElseThrow().partitions();
      for (int p = 0; p < partitions.size(); p++) {
        PartitionState state = partitions.get(p);
        if (state.replicas().contains(victim)) {
          assertEquals(PartitionState.NO_LEADER, state.leader(), "an RF-1 partition of the lost broker is offline");
          offline.add(p);
        } else {
          assertNotEquals(PartitionState.NO_LEADER, state.leader());
        }
      }
      assertEquals(2, offline.size());
      assertOfflinePartitionIsNotLedHere(cluster, degraded, offline.iterator().next());

      String survivors = survivorsBootstrap(cluster);
      Map<TopicPartition, List<String>> survivingData = new HashMap<>(sent);
      survivingData.keySet().removeIf(tp -> offline.contains(tp.partition()));
      List<TopicPartition> online = new ArrayList<>(survivingData.keySet());
      assertEquals(survivingData, consume(survivors, online, count(survivingData)));

      cluster.restart(victim);
      cluster.awaitFullIsr("fragile");
      assertEquals(sent, consume(bootstrap, "fragile", 6, count(sent)));
    }
  }

  /**
   * A Produce or Fetch sent to a broker that does not lead the partition names the leader and its
   * endpoint (KIP-951) at the versions that carry them, and at older versions (followers fetch at
   * v12) answers without them on the same connection.
   */
  private static void assertNonLeaderPointsAtTheLeader(VltavaCluster cluster) throws Exception {
    ClusterState state = cluster.awaitMetadata(s -> s.topic("spread").isPresent(), Duration.ofSeconds(5));
    TopicState topic = state.topic("spread").orElseThrow();
    PartitionState partition = topic.partitions().get(0);
    int notLeader = partition.leader() % 3 + 1;
    ProduceRequestData request = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5000);
    ProduceRequestData.TopicProduceData topicData = new ProduceRequestData.TopicProduceData()
        .setTopicId(io.vltava.kafka.BrokerServices.toKafka(topic.topicId())).setName("spread");
    topicData.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0)
        .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes(StandardCharsets.UTF_8)))));
    request.topicData().add(topicData);
    try (KafkaSocket socket = new KafkaSocket(cluster.node(notLeader).kafkaAddress())) {
      ProduceResponse response = socket.roundTrip(ProduceRequest.builder(request), 7);
      var answer = response.data().responses().iterator().next().partitionResponses().get(0);
      assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), answer.errorCode());
      assertEquals(partition.leader(), answer.currentLeader().leaderId());
      assertEquals(partition.leaderEpoch(), answer.currentLeader().leaderEpoch());
      assertEquals(cluster.node(partition.leader()).kafkaAddress().getPort(),
          response.data().nodeEndpoints().find(partition.leader()).port());

      ProduceResponse old = socket.roundTrip(new ProduceRequest.Builder((short) 3, (short) 9, request), 8);
      assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), old.data().responses().iterator().next().partitionResponses().get(0).errorCode());
      assertTrue(old.data().nodeEndpoints().isEmpty());

      Map<TopicPartition, FetchRequest.PartitionData> wanted = Map.of(new TopicPartition("spread", 0), new FetchRequest.PartitionData(
          io.vltava.kafka.BrokerServices.toKafka(topic.topicId()), 0, 0, 1 << 20, Optional.empty(), Optional.empty()));
      FetchResponse followerFetch = socket.roundTrip(FetchRequest.Builder.forReplica((short) 12, notLeader % 3 + 1, -1, 0, 1, wanted), 9);
      var fetched = followerFetch.data().responses().get(0).partitions().get(0);
      assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), fetched.errorCode());
      assertEquals(partition.leader(), fetched.currentLeader().leaderId());
      assertTrue(followerFetch.data().nodeEndpoints().isEmpty(), "v12 has no endpoints");

      FetchResponse consumerFetch = socket.roundTrip(FetchRequest.Builder.forConsumer(ApiKeys.FETCH.latestVersion(), 0, 1, wanted), 10);
      assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), consumerFetch.data().responses().get(0).partitions().get(0).errorCode());
      assertEquals(cluster.node(partition.leader()).kafkaAddress().getPort(),
          consumerFetch.data().nodeEndpoints().find(partition.leader()).port());
    }
  }

  /**
   * A partition without a leader answers fetches with NOT_LEADER_OR_FOLLOWER at every version, as
   * Kafka: clients refresh metadata and retry, while LEADER_NOT_AVAILABLE in a fetch is fatal to
   * Kafka's consumer ("unexpected error code 5", which stopped a Kafka Streams application).
   */
  private static void assertOfflinePartitionIsNotLedHere(VltavaCluster cluster, ClusterState state, int partition) throws Exception {
    TopicState topic = state.topic("fragile").orElseThrow();
    Map<TopicPartition, FetchRequest.PartitionData> wanted = Map.of(new TopicPartition("fragile", partition),
        new FetchRequest.PartitionData(io.vltava.kafka.BrokerServices.toKafka(topic.topicId()), 0, 0, 1 << 20,
            Optional.empty(), Optional.empty()));
    int survivor = cluster.isRunning(1) ? 1 : 2;
    try (KafkaSocket socket = new KafkaSocket(cluster.node(survivor).kafkaAddress())) {
      int correlationId = 1;
      for (short version = ApiKeys.FETCH.oldestVersion(); version <= ApiKeys.FETCH.latestVersion(); version++) {
        FetchResponse response = socket.roundTrip(FetchRequest.Builder.forConsumer(version, 0, 1, wanted), correlationId++);
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), response.data().responses().get(0).partitions().get(0).errorCode(),
            "Fetch v" + version);
      }
    }
  }

  /** Asks the partition's sharded leader entity, through {@code from}, which node it runs on. */
  private static int whoLeads(VltavaNode from, TopicPartition partition) throws Exception {
    return from.partitionLeader(partition)
        .<PartitionLeader.Leader>ask(PartitionLeader.WhoLeads::new, Duration.ofSeconds(20))
        .toCompletableFuture().get().nodeId();
  }

  private static String survivorsBootstrap(VltavaCluster cluster) {
    List<String> servers = new ArrayList<>();
    for (int id = 1; id <= cluster.size(); id++) {
      if (cluster.isRunning(id)) {
        servers.add("127.0.0.1:" + cluster.node(id).kafkaAddress().getPort());
      }
    }
    return String.join(",", servers);
  }

  private static int count(Map<TopicPartition, List<String>> byPartition) {
    return byPartition.values().stream().mapToInt(List::size).sum();
  }

  /** Sends {@code count} keyed records with acks=all; returns the values per partition in offset order. */
  private static Map<TopicPartition, List<String>> produce(String bootstrap, String topic, int count) throws Exception {
    Properties props = TestNodes.producerProps(bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    List<Future<RecordMetadata>> futures = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      for (int i = 0; i < count; i++) {
        futures.add(producer.send(new ProducerRecord<>(topic, ("key-" + i).getBytes(StandardCharsets.UTF_8),
            ("value-" + i).getBytes(StandardCharsets.UTF_8))));
      }
      producer.flush();
    }
    Map<TopicPartition, Map<Long, String>> byOffset = new HashMap<>();
    for (int i = 0; i < count; i++) {
      RecordMetadata metadata = futures.get(i).get();
      byOffset.computeIfAbsent(new TopicPartition(topic, metadata.partition()), tp -> new java.util.TreeMap<>())
          .put(metadata.offset(), "value-" + i);
    }
    Map<TopicPartition, List<String>> result = new HashMap<>();
    byOffset.forEach((tp, values) -> result.put(tp, new ArrayList<>(values.values())));
    return result;
  }

  private static Map<TopicPartition, List<String>> consume(String bootstrap, String topic, int partitions, int expected) {
    List<TopicPartition> all = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      all.add(new TopicPartition(topic, p));
    }
    return consume(bootstrap, all, expected);
  }

  private static Map<TopicPartition, List<String>> consume(String bootstrap, List<TopicPartition> partitions, int expected) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(TestNodes.consumerProps(bootstrap))) {
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      return TestNodes.pollValues(consumer, expected);
    }
  }
}
