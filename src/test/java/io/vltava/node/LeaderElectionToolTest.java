package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.metadata.ClusterState;
import io.vltava.metadata.PartitionState;
import io.vltava.testkit.VltavaTestKit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code kafka-leader-election} (Kafka 4.3.1) against a 3-node cluster: preferred elections move
 * leadership back to the first assigned replica, unclean ones revive an offline partition from an
 * out-of-sync replica; the metadata on every node shows the new leaders.
 */
@Tag("slow")
@Timeout(300)
class LeaderElectionToolTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void preferredElectionMovesLeadershipBackToTheFirstReplica() throws Exception {
    // With the automatic rebalance on, the controller would restore the leaders before the tool could.
    try (VltavaTestKit kit = VltavaTestKit.start(3, Map.of("vltava.replication.auto.leader.rebalance.enable", false))) {
      kit.createTopic("elect", 3, 3);
      produce(kit, "elect", 30);
      PartitionState p0 = partition(kit.cluster().metadata(), "elect", 0);
      int preferred = p0.replicas().get(0);
      assertEquals(preferred, p0.leader());

      kit.stop(preferred);
      long failedOverVersion = kit.cluster().awaitMetadata(state -> partition(state, "elect", 0).leader() != preferred, WAIT).version();
      kit.restart(preferred);
      ClusterState restarted = awaitNewer(kit, failedOverVersion, LeaderElectionToolTest::allInSync);
      // Every partition the restarted node should lead (the journal's too) is led elsewhere until the tool runs.
      List<String> moved = new ArrayList<>();
      restarted.topics().values().forEach(topic -> IntStream.range(0, topic.partitionCount())
          .filter(p -> topic.partitions().get(p).replicas().get(0) == preferred)
          .forEach(p -> {
            assertNotEquals(preferred, topic.partitions().get(p).leader(), topic.name() + "-" + p);
            moved.add(topic.name() + "-" + p);
          }));
      moved.sort(null);
      assertTrue(moved.contains("elect-0"));

      KafkaTools.Result elected = KafkaTools.run(KafkaTools.LEADER_ELECTION, "--bootstrap-server", kit.bootstrapServers(),
          "--election-type", "preferred", "--all-topic-partitions").assertSuccess();
      assertEquals("Successfully completed leader election (PREFERRED) for partitions " + String.join(", ", moved),
          sortedPartitionsLine(elected.stdout().strip()), elected.stdout());
      // Read-your-writes: the node that answered already shows it, and every node soon does.
      ClusterState after = awaitNewer(kit, restarted.version(), state -> state.topics().values().stream()
          .flatMap(topic -> topic.partitions().stream()).allMatch(p -> p.leader() == p.replicas().get(0)));
      assertEquals(p0.leaderEpoch() + 2, partition(after, "elect", 0).leaderEpoch(), "one epoch for the failover, one for the election");
      produce(kit, "elect", 3);

      Path json = Files.writeString(Files.createTempFile("election-", ".json"),
          "{\"partitions\": [{\"topic\": \"elect\", \"partition\": 0}, {\"topic\": \"elect\", \"partition\": 1}]}");
      KafkaTools.Result again = KafkaTools.run(KafkaTools.LEADER_ELECTION, "--bootstrap-server", kit.bootstrapServers(),
          "--election-type", "preferred", "--path-to-json-file", json.toString()).assertSuccess();
      Files.delete(json);
      assertEquals("Valid replica already elected for partitions elect-0, elect-1", sortedPartitionsLine(again.stdout().strip()));

      kit.stop(preferred);
      kit.cluster().awaitMetadata(state -> partition(state, "elect", 0).leader() != preferred, WAIT);
      KafkaTools.Result unavailable = KafkaTools.run(KafkaTools.LEADER_ELECTION, "--bootstrap-server", kit.bootstrapServers(),
          "--election-type", "preferred", "--topic", "elect", "--partition", "0");
      assertNotEquals(0, unavailable.exitCode());
      assertTrue(unavailable.stdout().contains("Error completing leader election (PREFERRED) for partition: elect-0: "
          + "org.apache.kafka.common.errors.PreferredLeaderNotAvailableException"), unavailable.stdout());
    }
  }

  @Test
  void uncleanElectionRevivesAnOfflinePartitionFromAnOutOfSyncReplica() throws Exception {
    try (VltavaTestKit kit = VltavaTestKit.start(3)) {
      kit.createTopic("offline", 1, 2);
      List<Integer> replicas = partition(kit.cluster().metadata(), "offline", 0).replicas();
      int first = replicas.get(0);
      int second = replicas.get(1);
      produce(kit, "offline", 10);

      kit.stop(second);
      kit.cluster().awaitMetadata(state -> partition(state, "offline", 0).isr().equals(List.of(first)), WAIT);
      produce(kit, "offline", 5); // records the second replica never gets
      kit.stop(first);
      kit.cluster().awaitMetadata(state -> !partition(state, "offline", 0).hasLeader(), WAIT);
      long offlineVersion = kit.cluster().metadata().version();
      kit.restart(second);
      ClusterState registered = awaitNewer(kit, offlineVersion, state -> state.brokers().containsKey(second));
      assertEquals(PartitionState.NO_LEADER, partition(registered, "offline", 0).leader(),
          "unclean election is off: the out-of-sync replica does not lead by itself");

      KafkaTools.Result preferred = KafkaTools.run(KafkaTools.LEADER_ELECTION, "--bootstrap-server", kit.bootstrapServers(),
          "--election-type", "preferred", "--topic", "offline", "--partition", "0");
      assertNotEquals(0, preferred.exitCode());
      assertTrue(preferred.stdout().contains("PreferredLeaderNotAvailableException"), preferred.stdout());

      KafkaTools.Result unclean = KafkaTools.run(KafkaTools.LEADER_ELECTION, "--bootstrap-server", kit.bootstrapServers(),
          "--election-type", "unclean", "--topic", "offline", "--partition", "0").assertSuccess();
      assertEquals("Successfully completed leader election (UNCLEAN) for partitions offline-0", unclean.stdout().strip());
      ClusterState after = kit.cluster().awaitMetadata(state -> partition(state, "offline", 0).leader() == second, WAIT);
      assertEquals(List.of(second), partition(after, "offline", 0).isr());
      assertEquals(10, kit.node(second).localReplica(new org.apache.kafka.common.TopicPartition("offline", 0))
          .orElseThrow().log().logEndOffset(), "the new leader has only what it had: the 5 later records are lost");

      KafkaTools.Result notNeeded = KafkaTools.run(KafkaTools.LEADER_ELECTION, "--bootstrap-server", kit.bootstrapServers(),
          "--election-type", "unclean", "--topic", "offline", "--partition", "0").assertSuccess();
      assertEquals("Valid replica already elected for partitions offline-0", notNeeded.stdout().strip());
    }
  }

  /**
   * Waits until every running node's metadata is newer than {@code version} and satisfies
   * {@code condition}: a restarted node first shows the state it stored before it stopped.
   */
  private static ClusterState awaitNewer(VltavaTestKit kit, long version, java.util.function.Predicate<ClusterState> condition)
      throws InterruptedException {
    return kit.cluster().awaitMetadata(state -> state.version() > version && condition.test(state), WAIT);
  }

  private static boolean allInSync(ClusterState state) {
    return state.topics().values().stream().flatMap(topic -> topic.partitions().stream())
        .allMatch(p -> p.hasLeader() && p.isr().size() == p.replicas().size());
  }

  private static PartitionState partition(ClusterState state, String topic, int partition) {
    return state.topic(topic).orElseThrow().partitions().get(partition);
  }

  /** The tool prints partitions in hash order; sort them so the line can be compared. */
  private static String sortedPartitionsLine(String line) {
    int at = line.lastIndexOf("partitions ") + "partitions ".length();
    return line.substring(0, at) + java.util.Arrays.stream(line.substring(at).split(", ")).sorted().collect(Collectors.joining(", "));
  }

  private static void produce(VltavaTestKit kit, String topic, int records) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kit.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      for (int i = 0; i < records; i++) {
        producer.send(new ProducerRecord<>(topic, 0, "key-" + i, "value-" + i)).get();
      }
    }
  }
}
