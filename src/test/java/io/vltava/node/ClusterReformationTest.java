package io.vltava.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.testkit.VltavaCluster;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A known cluster re-formed after a total outage, in one JVM: the nodes that record it re-form it
 * through their support for one of them, and a data directory that holds partition data but no
 * meta.properties (as an older Vltava left it) forms nothing, even as the first seed, and joins.
 */
@Tag("slow")
class ClusterReformationTest {
  private static final TopicPartition ORDERS = new TopicPartition("orders", 0);

  @TempDir Path baseDir;

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void aDataDirectoryWithPartitionDataButNoMetaPropertiesFormsNothingAndJoinsTheReformedCluster() throws Exception {
    try (VltavaCluster cluster = VltavaCluster.start(3, baseDir, Map.of())) {
      String clusterId = cluster.metadata().clusterId();
      try (Admin admin = Admin.create(TestNodes.adminProps(cluster.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(ORDERS.topic(), 1, (short) 3))).all().get(30, TimeUnit.SECONDS);
      }
      cluster.awaitFullIsr(ORDERS.topic());
      List<String> acknowledged = new CopyOnWriteArrayList<>();
      TestNodes.produceUntilStopped(cluster.bootstrapServers(), ORDERS, new AtomicBoolean(true), acknowledged, 0, 100, 10);
      assertEquals(100, acknowledged.size());

      cluster.crashAll();
      Files.delete(cluster.dataDir(1).resolve(ClusterMeta.FILE_NAME));
      CompletableFuture<Void> first = startInBackground(cluster, 1);
      // Node 1 is the first seed and reaches no one: on a new data directory it would form a cluster within seconds.
      int firstKafkaPort = Integer.parseInt(cluster.bootstrapServers().split(",")[0].split(":")[1]);
      await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(12)).until(() -> !first.isDone() && !accepts(firstKafkaPort));

      CompletableFuture<Void> second = startInBackground(cluster, 2);
      CompletableFuture<Void> third = startInBackground(cluster, 3);
      CompletableFuture.allOf(first, second, third).get(2, TimeUnit.MINUTES);

      assertEquals(clusterId, ClusterMeta.read(cluster.dataDir(1)).orElseThrow().clusterId(), "node 1 records the cluster it joined");
      // A restarted node's metadata view is filled by replication after start returns.
      for (int id = 1; id <= 3; id++) {
        VltavaNode node = cluster.node(id);
        await("node " + id + " is in the old cluster").atMost(Duration.ofSeconds(60))
            .until(() -> node.metadata().current().clusterId(), clusterId::equals);
      }
      cluster.awaitMetadata(state -> state.brokers().size() == 3, Duration.ofSeconds(60));
      try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(TestNodes.consumerProps(cluster.bootstrapServers()))) {
        consumer.assign(List.of(ORDERS));
        consumer.seekToBeginning(List.of(ORDERS));
        List<String> read = TestNodes.pollValues(consumer, acknowledged.size()).get(ORDERS);
        assertTrue(read.containsAll(acknowledged), "every acknowledged record survived the outage");
      }
    }
  }

  private static CompletableFuture<Void> startInBackground(VltavaCluster cluster, int id) {
    return CompletableFuture.runAsync(() -> {
      try {
        cluster.restart(id);
      } catch (Exception e) {
        // The cause in the message: a build's summary shows only the message.
        throw new IllegalStateException("node " + id + " did not start: " + e, e);
      }
    }, runnable -> new Thread(runnable, "start-node-" + id).start());
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }
}
