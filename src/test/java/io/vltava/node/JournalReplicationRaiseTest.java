package io.vltava.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vltava.metadata.ClusterState;
import io.vltava.metadata.PartitionState;
import io.vltava.metadata.TopicState;
import io.vltava.testkit.VltavaCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster started as one node and grown to three: the journal, created with one replica, is
 * raised to three by reassignment without anyone asking, and the group offsets committed before
 * and after keep being served once the original node is gone.
 */
@Tag("slow")
class JournalReplicationRaiseTest {
  private static final String JOURNAL = "__vltava_journal";
  private static final TopicPartition ORDERS = new TopicPartition("orders", 0);

  @TempDir Path baseDir;

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void theJournalOfAClusterThatStartedSmallerIsRaisedToThreeReplicasAndItsOffsetsSurviveTheFirstNode() throws Exception {
    try (VltavaCluster cluster = VltavaCluster.create(3, baseDir, Map.of())) {
      cluster.restart(1, Map.of("vltava.cluster.size", 1));
      cluster.awaitMetadata(state -> replicationFactors(state).equals(List.of(1)), Duration.ofSeconds(60));
      Map<String, Long> committed = new HashMap<>();
      try (Admin admin = admin(cluster.node(1).bootstrapServers())) {
        admin.createTopics(List.of(new NewTopic(ORDERS.topic(), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        commit(admin, committed, "before-", 6);
      }

      cluster.restart(2);
      cluster.restart(3);
      ClusterState raised = cluster.awaitMetadata(
          state -> state.topic(JOURNAL).map(JournalReplicationRaiseTest::fullyReplicatedOnThree).orElse(false), Duration.ofSeconds(90));
      List<PartitionState> journal = raised.topic(JOURNAL).orElseThrow().partitions();
      assertEquals(8, journal.size());
      long preferredOn1 = journal.stream().filter(p -> p.replicas().get(0) == 1).count();
      assertEquals(3, preferredOn1, "preferred leaders spread over the three brokers: " + journal);
      try (Admin admin = admin(cluster.bootstrapServers())) {
        commit(admin, committed, "after-", 6);
      }

      cluster.crash(1);
      cluster.awaitMetadata(state -> state.topic(JOURNAL).orElseThrow().partitions().stream()
          .allMatch(p -> p.hasLeader() && p.leader() != 1), Duration.ofSeconds(60));
      try (Admin admin = admin(cluster.node(2).bootstrapServers() + "," + cluster.node(3).bootstrapServers())) {
        for (Map.Entry<String, Long> group : committed.entrySet()) {
          await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> assertEquals(group.getValue(),
              admin.listConsumerGroupOffsets(group.getKey()).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
                  .get(ORDERS).offset(), group.getKey()));
        }
      }
    }
  }

  /** Commits a distinct offset for each of {@code count} groups named {@code prefix0..}. */
  private static void commit(Admin admin, Map<String, Long> committed, String prefix, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      String group = prefix + i;
      long offset = 100L * committed.size() + 7;
      admin.alterConsumerGroupOffsets(group, Map.of(ORDERS, new OffsetAndMetadata(offset))).all().get(30, TimeUnit.SECONDS);
      committed.put(group, offset);
    }
  }

  /** The distinct replication factors of the journal's partitions, or none while it does not exist. */
  private static List<Integer> replicationFactors(ClusterState state) {
    return state.topic(JOURNAL).map(t -> t.partitions().stream().map(p -> p.replicas().size()).distinct().toList()).orElse(List.of());
  }

  private static boolean fullyReplicatedOnThree(TopicState topic) {
    return topic.partitions().stream().allMatch(p -> !p.isReassigning() && p.replicas().size() == 3 && p.isr().size() == 3);
  }

  private static Admin admin(String bootstrap) {
    Map<String, Object> props = new HashMap<>();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20000);
    return Admin.create(props);
  }
}
