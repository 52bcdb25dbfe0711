package io.vltava.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.vltava.metadata.PartitionState;
import io.vltava.node.TestNodes;
import io.vltava.node.CapturedLog;
import io.vltava.replica.CatchUpProgress;
import io.vltava.testkit.VltavaCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A follower that stalls drops out of the ISR; its leader reports how far behind it is until it is back in sync. */
@Tag("slow")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FollowerCatchUpTest {
  private static final TopicPartition PARTITION = new TopicPartition("lagging", 0);
  private static final int RECORDS = 200;

  @TempDir Path baseDir;
  @RegisterExtension final CapturedLog replicaLog = new CapturedLog("io.vltava.replica", Level.INFO);

  @Test
  void theLeaderReportsAStalledFollowersGapUntilItCatchesUp() throws Exception {
    Map<String, Object> settings = Map.of(
        "vltava.replication.replica.lag.time.max.ms", 2000,
        "vltava.replication.progress-log-interval", "1s");
    try (VltavaCluster cluster = VltavaCluster.start(2, baseDir, settings)) {
      try (Admin admin = Admin.create(TestNodes.adminProps(cluster.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(PARTITION.topic(), 1, (short) 2))).all().get();
      }
      PartitionState state = cluster.awaitFullIsr(PARTITION.topic()).topic(PARTITION.topic()).orElseThrow().partitions().get(0);
      int leader = state.leader();
      int follower = state.replicas().stream().filter(id -> id != leader).findFirst().orElseThrow();
      cluster.node(follower).pauseReplication(true);

      Properties producerProps = TestNodes.producerProps(cluster.bootstrapServers());
      producerProps.put(ProducerConfig.ACKS_CONFIG, "1");
      producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps)) {
        for (int i = 0; i < RECORDS; i++) {
          producer.send(new ProducerRecord<>(PARTITION.topic(), 0, null, ("record-" + i).getBytes(StandardCharsets.UTF_8)));
        }
        producer.flush();
      }
      cluster.awaitMetadata(s -> s.topic(PARTITION.topic()).orElseThrow().partitions().get(0).isr().equals(List.of(leader)),
          Duration.ofSeconds(60));

      long leaderLogBytes = cluster.node(leader).localReplica(PARTITION).orElseThrow().sizeBytes();
      long followerEnd = cluster.node(follower).localReplica(PARTITION).orElseThrow().log().logEndOffset();
      await().atMost(Duration.ofSeconds(30)).until(() -> !followers(cluster, leader).isEmpty());
      CatchUpProgress.Follower behind = followers(cluster, leader).get(0);
      assertEquals(follower, behind.replica());
      assertEquals(RECORDS - followerEnd, behind.offsetsBehind());
      assertTrue(behind.bytesBehind() > 0 && behind.bytesBehind() <= leaderLogBytes, behind.toString());
      List<MetricsAndHealthTest.Sample> samples = scrape(cluster, leader);
      String[] labels = {"topic", PARTITION.topic(), "partition", "0", "replica", Integer.toString(follower)};
      assertEquals(RECORDS - followerEnd, MetricsAndHealthTest.value(samples, "vltava_replica_lag_offsets", labels));
      assertEquals(behind.bytesBehind(), MetricsAndHealthTest.value(samples, "vltava_replica_lag_bytes", labels));
      assertTrue(replicaLog.messages().stream().anyMatch(l -> l.startsWith("Replica " + follower + " of " + PARTITION + " is catching up: ")),
          replicaLog.messages().toString());

      // The periodic report sums the follower up over the partitions it lags on (the journal's too).
      await().atMost(Duration.ofSeconds(10)).until(() -> replicaLog.messages().stream().anyMatch(l -> l.startsWith("Replica " + follower + " of ")
          && !l.contains("catching up:") && l.contains(" behind the leader")));

      cluster.node(follower).pauseReplication(false);
      cluster.awaitFullIsr(PARTITION.topic());
      await().atMost(Duration.ofSeconds(30)).until(() -> followers(cluster, leader).isEmpty());
      assertTrue(scrape(cluster, leader).stream().noneMatch(s -> s.name().equals("vltava_replica_lag_bytes")
          && PARTITION.topic().equals(s.labels().get("topic"))), "the gauge's row went with the gap");
      await().atMost(Duration.ofSeconds(10)).until(() -> replicaLog.messages().stream()
          .anyMatch(l -> l.startsWith("Replica " + follower + " of " + PARTITION + " caught up with the leader after ")));
    }
  }

  private static List<CatchUpProgress.Follower> followers(VltavaCluster cluster, int leader) {
    return cluster.node(leader).progress().catchUp().followers().stream().filter(f -> f.partition().equals(PARTITION)).toList();
  }

  private static List<MetricsAndHealthTest.Sample> scrape(VltavaCluster cluster, int nodeId) throws Exception {
    var address = cluster.node(nodeId).httpAddress().orElseThrow();
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://" + address.getHostString() + ":" + address.getPort() + "/metrics")).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    return MetricsAndHealthTest.Sample.parse(response.body());
  }
}
