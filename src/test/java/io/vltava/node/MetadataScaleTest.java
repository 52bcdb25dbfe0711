package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.metadata.ClusterState;
import io.vltava.metadata.TopicState;
import io.vltava.testkit.VltavaCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many partitions on three nodes. Thousands: the controller's metadata, far larger than one Artery
 * frame (256 KiB) once serialized, still reaches every node, and every node's Metadata answer lists
 * them all. Without compression of large CBOR payloads the controller's majority write is dropped
 * as oversized and topic creation times out. About 80 s on 2 cores, most of it stopping 3,000 replicas.
 * Hundreds rejoining the ISR after a broker restart: the controller stores their ISR changes in
 * batches, not one whole-state write per partition.
 */
@Tag("slow")
class MetadataScaleTest {
  private static final int TOPICS = 30;
  private static final int PARTITIONS_PER_TOPIC = 100;

  @TempDir Path baseDir;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void everyNodeSeesEveryPartitionOfThousands() throws Exception {
    try (VltavaCluster cluster = VltavaCluster.start(3, baseDir)) {
      List<NewTopic> topics = new ArrayList<>();
      for (int t = 0; t < TOPICS; t++) {
        topics.add(new NewTopic(String.format("scale-%03d", t), PARTITIONS_PER_TOPIC, (short) 1));
      }
      try (Admin admin = Admin.create(TestNodes.adminProps(cluster.bootstrapServers()))) {
        admin.createTopics(topics).all().get(2, TimeUnit.MINUTES);
      }
      ClusterState seen = cluster.awaitMetadata(
          state -> state.topics().keySet().stream().filter(name -> name.startsWith("scale-")).count() == TOPICS,
          Duration.ofSeconds(30));
      int partitions = seen.topics().values().stream().filter(t -> t.name().startsWith("scale-"))
          .mapToInt(TopicState::partitionCount).sum();
      assertEquals(TOPICS * PARTITIONS_PER_TOPIC, partitions);
      for (int id = 1; id <= 3; id++) {
        try (Admin admin = Admin.create(TestNodes.adminProps("127.0.0.1:" + cluster.node(id).kafkaAddress().getPort()))) {
          int described = admin.describeTopics(topics.stream().map(NewTopic::name).toList()).allTopicNames().get(1, TimeUnit.MINUTES)
              .values().stream().mapToInt(d -> d.partitions().size()).sum();
          assertEquals(TOPICS * PARTITIONS_PER_TOPIC, described, "node " + id + " describes every partition");
        }
      }
    }
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void partitionsRejoiningTheIsrAfterARestartAreStoredInBatches() throws Exception {
    int partitions = 300;
    try (VltavaCluster cluster = VltavaCluster.start(3, baseDir)) {
      try (Admin admin = Admin.create(TestNodes.adminProps(cluster.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic("rejoining", partitions, (short) 3))).all().get(1, TimeUnit.MINUTES);
      }
      cluster.awaitFullIsr("rejoining");
      int controller = cluster.controllerId();
      int restarted = controller == 3 ? 2 : 3;
      cluster.crash(restarted);
      cluster.awaitMetadata(state -> state.topic("rejoining").orElseThrow().partitions().stream()
          .noneMatch(p -> p.isr().contains(restarted)), Duration.ofSeconds(60));
      // The controller's node applies every stored state to its cache: one update per write.
      AtomicInteger writes = new AtomicInteger();
      cluster.node(controller).metadata().subscribe(state -> writes.incrementAndGet());
      cluster.restart(restarted);
      cluster.awaitFullIsr("rejoining");
      assertEquals(controller, cluster.controllerId());
      // One write per partition would take at least 300.
      assertTrue(writes.get() < partitions / 3, partitions + " partitions rejoined the ISR in " + writes.get() + " metadata writes");
    }
  }
}
