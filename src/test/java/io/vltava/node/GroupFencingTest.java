package io.vltava.node;

import static io.vltava.node.GroupTestSupport.FAST_GROUPS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Requests a KafkaConsumer would not send: stale generations, unknown members, replaced static members. */
class GroupFencingTest {
  @TempDir static Path dataDir;
  static VltavaNode node;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(dataDir, FAST_GROUPS);
    GroupTestSupport.createTopic(node.bootstrapServers(), "fenced", 1);
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @Test
  void aCommitOfAStaleGenerationIsRejectedWithIllegalGeneration() throws Exception {
    try (RawMember member = new RawMember(node.kafkaAddress(), "stale", null)) {
      assertEquals(Errors.NONE, member.join("fenced", 10_000));
      assertTrue(member.memberId.startsWith("vltava-test-"), "the first join got MEMBER_ID_REQUIRED and an id");
      assertEquals(member.memberId, member.leaderId);
      member.sync();
      int first = member.generationId;
      assertEquals(Errors.NONE, member.commit("fenced", 5, first, member.memberId));

      // The leader rejoining starts generation first + 1.
      assertEquals(Errors.NONE, member.join("fenced", 10_000));
      assertEquals(first + 1, member.generationId);
      member.sync();
      assertEquals(Errors.ILLEGAL_GENERATION, member.commit("fenced", 7, first, member.memberId));
      assertEquals(Errors.ILLEGAL_GENERATION, member.heartbeat(first));
      assertEquals(Errors.UNKNOWN_MEMBER_ID, member.commit("fenced", 7, member.generationId, "nobody"));
      assertEquals(Errors.NONE, member.commit("fenced", 7, member.generationId, member.memberId));
      assertEquals(Errors.NONE, member.heartbeat(member.generationId));
    }
  }

  @Test
  void aReplacedStaticMemberIsFenced() throws Exception {
    try (RawMember first = new RawMember(node.kafkaAddress(), "static", "instance-1");
        RawMember second = new RawMember(node.kafkaAddress(), "static", "instance-1")) {
      assertEquals(Errors.NONE, first.join("fenced", 10_000));
      first.sync();
      // The same instance id joining again (a restarted process) takes over; the old member id is fenced.
      assertEquals(Errors.NONE, second.join("fenced", 10_000));
      second.sync();
      assertEquals(Errors.FENCED_INSTANCE_ID, first.heartbeat(first.generationId));
      assertEquals(Errors.NONE, second.heartbeat(second.generationId));
    }
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void aRestartedStaticConsumerKeepsItsPartitionsWithoutARebalance() throws Exception {
    GroupTestSupport.createTopic(node.bootstrapServers(), "static-restart", 2);
    Properties props = GroupTestSupport.groupConsumerProps(node.bootstrapServers(), "static-restart");
    props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "restarting-instance");
    // Long enough that the closed instance is still a member when its successor joins.
    props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "30000");
    int generation;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      awaitAssignment(consumer, 2);
      generation = consumer.groupMetadata().generationId();
    } // A static member does not leave when it closes.
    try (KafkaConsumer<byte[], byte[]> restarted = new KafkaConsumer<>(props)) {
      awaitAssignment(restarted, 2);
      assertEquals(generation, restarted.groupMetadata().generationId(), "the leader's restart caused no rebalance");
    }
  }

  private static void awaitAssignment(KafkaConsumer<byte[], byte[]> consumer, int partitions) {
    consumer.subscribe(List.of("static-restart"));
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
      consumer.poll(Duration.ofMillis(100));
      return consumer.assignment().size() == partitions;
    });
  }
}
