package io.vltava.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vltava.metadata.ClusterState;
import io.vltava.metadata.PartitionState;
import io.vltava.metadata.TopicState;
import io.vltava.node.TestNodes;
import io.vltava.testkit.VltavaCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ISR counters see the changes the controller makes when a broker leaves and comes back, not
 * only the leaders' own proposals: summed over the nodes, each change is counted exactly once.
 */
@Tag("slow")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class IsrChangeMetricsTest {
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String TOPIC = "isr-counted";
  private static final String JOURNAL = "__vltava_journal";

  @TempDir
  Path baseDir;

  @Test
  void aStoppedFollowerIsCountedAsShrinksAndItsReturnAsExpands() throws Exception {
    try (VltavaCluster cluster = VltavaCluster.start(3, baseDir)) {
      try (Admin admin = Admin.create(TestNodes.adminProps(cluster.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(TOPIC, 4, (short) 3))).all().get();
      }
      // Settled: the journal topic exists and every partition has all its replicas in sync.
      ClusterState settled = cluster.awaitMetadata(
          state -> state.topic(JOURNAL).isPresent() && state.topic("__vltava_snapshots").isPresent() && state.topic(TOPIC).isPresent() && allInSync(state), Duration.ofSeconds(60));
      int victim = cluster.controllerId() % 3 + 1;
      long partitionsWithVictim = settled.topics().values().stream()
          .flatMap(t -> t.partitions().stream()).filter(p -> p.isr().contains(victim)).count();
      assertEquals(8 + 8 + 4, partitionsWithVictim, "every partition (journal, snapshots, topic) has a replica on each of the 3 nodes");
      double shrinksBefore = sum(cluster, "vltava_isr_shrinks_total");
      double expandsBefore = sum(cluster, "vltava_isr_expands_total");

      cluster.stop(victim);
      cluster.awaitMetadata(state -> state.topics().values().stream()
          .flatMap(t -> t.partitions().stream()).noneMatch(p -> p.isr().contains(victim)), Duration.ofSeconds(60));
      await().atMost(Duration.ofSeconds(30))
          .until(() -> sum(cluster, "vltava_isr_shrinks_total") - shrinksBefore == partitionsWithVictim);
      assertEquals(expandsBefore, sum(cluster, "vltava_isr_expands_total"));

      cluster.restart(victim);
      cluster.awaitMetadata(IsrChangeMetricsTest::allInSync, Duration.ofSeconds(90));
      await().atMost(Duration.ofSeconds(30))
          .until(() -> sum(cluster, "vltava_isr_expands_total") - expandsBefore == partitionsWithVictim);
      // The restarted node's own counters start at 0; the shrinks stay counted where they were made.
      assertEquals(partitionsWithVictim, sum(cluster, "vltava_isr_shrinks_total") - shrinksBefore);
    }
  }

  private static boolean allInSync(ClusterState state) {
    for (TopicState topic : state.topics().values()) {
      for (PartitionState p : topic.partitions()) {
        if (!p.hasLeader() || p.isr().size() != p.replicas().size() || p.isReassigning()) {
          return false;
        }
      }
    }
    return true;
  }

  /** {@code counter} summed over the running nodes' /metrics. */
  private static double sum(VltavaCluster cluster, String counter) throws Exception {
    double total = 0;
    for (int id = 1; id <= cluster.size(); id++) {
      if (cluster.isRunning(id)) {
        var address = cluster.node(id).httpAddress().orElseThrow();
        URI uri = URI.create("http://" + address.getHostString() + ":" + address.getPort() + "/metrics");
        HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        total += MetricsAndHealthTest.value(MetricsAndHealthTest.Sample.parse(scrape.body()), counter);
      }
    }
    return total;
  }
}
