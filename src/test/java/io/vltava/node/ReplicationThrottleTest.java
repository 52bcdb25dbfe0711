package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.metadata.PartitionState;
import io.vltava.testkit.VltavaTestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each side of Kafka's replication throttle holds a new replica's catch-up to the rate on its own:
 * the leader's (leader.replication.throttled.rate for the replicas in leader.replication.throttled.replicas)
 * and the follower's (follower.replication.throttled.rate for those in follower.replication.throttled.replicas).
 */
@Tag("slow")
@Timeout(180)
class ReplicationThrottleTest {
  private static final long RATE_BYTES_PER_SECOND = 100_000;
  private static final int RECORDS = 1_000;
  private static final int RECORD_BYTES = 1_000;

  @Test
  void eitherSideAloneHoldsANewReplicaToTheRate() throws Exception {
    try (VltavaTestKit kit = VltavaTestKit.start(3)) {
      kit.createTopic("led", 1, 1);
      kit.createTopic("followed", 1, 1);
      TopicPartition led = new TopicPartition("led", 0);
      TopicPartition followed = new TopicPartition("followed", 0);
      preload(kit.bootstrapServers(), led, followed);
      int ledLeader = kit.leaderOf(led);
      int followedLeader = kit.leaderOf(followed);
      int ledNewcomer = ledLeader % 3 + 1;
      int followedNewcomer = followedLeader % 3 + 1;

      Map<ConfigResource, Collection<AlterConfigOp>> configs = new HashMap<>();
      for (int broker = 1; broker <= 3; broker++) {
        configs.put(new ConfigResource(ConfigResource.Type.BROKER, String.valueOf(broker)), List.of(
            set("leader.replication.throttled.rate", String.valueOf(RATE_BYTES_PER_SECOND)),
            set("follower.replication.throttled.rate", String.valueOf(RATE_BYTES_PER_SECOND))));
      }
      configs.put(new ConfigResource(ConfigResource.Type.TOPIC, "led"), List.of(set("leader.replication.throttled.replicas", "0:" + ledLeader)));
      configs.put(new ConfigResource(ConfigResource.Type.TOPIC, "followed"),
          List.of(set("follower.replication.throttled.replicas", "0:" + followedNewcomer)));
      kit.admin().incrementalAlterConfigs(configs).all().get();
      kit.cluster().awaitMetadata(s -> s.brokerConfigs(3).size() == 2
          && s.topic("followed").orElseThrow().configs().containsKey("follower.replication.throttled.replicas"), Duration.ofSeconds(10));

      long startMs = System.currentTimeMillis();
      kit.admin().alterPartitionReassignments(Map.of(
          led, Optional.of(new NewPartitionReassignment(List.of(ledLeader, ledNewcomer))),
          followed, Optional.of(new NewPartitionReassignment(List.of(followedLeader, followedNewcomer))))).all().get();
      List<Long> joinedAfterMs = new ArrayList<>();
      for (TopicPartition partition : List.of(led, followed)) {
        kit.cluster().awaitMetadata(s -> isr(s.topic(partition.topic()).orElseThrow().partitions().get(0)).size() == 2, Duration.ofSeconds(90));
        joinedAfterMs.add(System.currentTimeMillis() - startMs);
      }
      // 1 MB at 100 kB/s is about 9 s after one second's burst; unthrottled the move takes about 2 s here.
      long atLeastMs = ((long) RECORDS * RECORD_BYTES - 2 * RATE_BYTES_PER_SECOND) * 1000 / RATE_BYTES_PER_SECOND / 2;
      assertTrue(joinedAfterMs.get(0) >= atLeastMs, "the leader-side throttle held the new replica of led back: " + joinedAfterMs);
      assertTrue(joinedAfterMs.get(1) >= atLeastMs, "the follower-side throttle held the new replica of followed back: " + joinedAfterMs);
    }
  }

  private static List<Integer> isr(PartitionState partition) {
    return partition.isr();
  }

  private static AlterConfigOp set(String name, String value) {
    return new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
  }

  private static void preload(String bootstrap, TopicPartition... partitions) throws Exception {
    Properties props = TestNodes.producerProps(bootstrap);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 16 * RECORD_BYTES);
    byte[] value = new byte[RECORD_BYTES];
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      for (int i = 0; i < RECORDS; i++) {
        for (TopicPartition partition : partitions) {
          producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), null, value));
        }
      }
      producer.flush();
    }
  }
}
