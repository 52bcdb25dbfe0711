package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vltava.metadata.PartitionState;
import io.vltava.testkit.VltavaTestKit;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three nodes keep replicating with authorization on. Followers fetch from leaders over plaintext
 * Kafka connections, as User:ANONYMOUS, so (as in Kafka with a PLAINTEXT inter-broker listener) that
 * principal is granted ClusterAction on the cluster; without that grant followers are refused and
 * drop out of the ISR, which shows that the follower fetch is really checked.
 */
@Tag("slow")
@Timeout(300)
class AuthorizationReplicationTest {
  private static final String TOPIC = "replicated";
  private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
  static VltavaTestKit kit;

  @BeforeAll
  static void start() throws Exception {
    kit = VltavaTestKit.start(3, Map.of("vltava.replication.replica.lag.time.max.ms", 3000));
    acls("--add", "--allow-principal", "User:ANONYMOUS", "--operation", "ClusterAction", "--operation", "Create",
        "--operation", "Alter", "--operation", "Describe", "--cluster");
    acls("--add", "--allow-principal", "User:ANONYMOUS", "--operation", "All", "--topic", TOPIC);
    // A rolling restart turns authorization on, node by node, as an operator would.
    for (int id = 1; id <= 3; id++) {
      kit.stop(id);
      kit.cluster().restart(id, Map.of("vltava.authorization.enabled", true));
    }
    kit.cluster().awaitMetadata(state -> state.brokers().size() == 3, Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() throws Exception {
    if (kit != null) {
      kit.close();
    }
  }

  @Test
  void followersReplicateWithClusterActionAndAreRefusedWithoutIt() throws Exception {
    kit.createTopic(TOPIC, 1, 3);
    assertEquals(99, produce(100, "first"));
    kit.awaitFullIsr(TOPIC);
    awaitEveryReplicaAt(100);

    acls("--remove", "--force", "--allow-principal", "User:ANONYMOUS", "--operation", "ClusterAction", "--cluster");
    produceAcksOne(10);
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> isr().size() == 1);

    acls("--add", "--allow-principal", "User:ANONYMOUS", "--operation", "ClusterAction", "--cluster");
    kit.awaitFullIsr(TOPIC);
    awaitEveryReplicaAt(110);
  }

  private static List<Integer> isr() {
    PartitionState partition = kit.cluster().metadata().topic(TOPIC).orElseThrow().partitions().get(0);
    return partition.isr();
  }

  private static void awaitEveryReplicaAt(long logEndOffset) {
    Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      for (int id = 1; id <= 3; id++) {
        assertEquals(logEndOffset, kit.node(id).localReplica(PARTITION).orElseThrow().log().logEndOffset(), "node " + id);
      }
    });
  }

  /** Sends {@code count} records with acks=all; returns the last offset. */
  private static long produce(int count, String prefix) throws Exception {
    return send(count, prefix, "all");
  }

  /** acks=1: the leader alone acknowledges, so it works while followers are refused. */
  private static void produceAcksOne(int count) throws Exception {
    send(count, "while-refused", "1");
  }

  private static long send(int count, String prefix, String acks) throws Exception {
    Properties props = TestNodes.producerProps(kit.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, acks);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, acks.equals("all"));
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        sent.add(producer.send(new ProducerRecord<>(TOPIC, 0, null, (prefix + i).getBytes(StandardCharsets.UTF_8))));
      }
      long last = -1;
      for (Future<RecordMetadata> result : sent) {
        last = result.get(60, TimeUnit.SECONDS).offset();
      }
      return last;
    }
  }

  private static void acls(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("--bootstrap-server", kit.bootstrapServers()));
    command.addAll(List.of(args));
    KafkaTools.run(KafkaTools.ACLS, command.toArray(String[]::new)).assertSuccess();
  }
}
