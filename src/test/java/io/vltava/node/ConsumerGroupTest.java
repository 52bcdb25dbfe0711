package io.vltava.node;

import static io.vltava.node.GroupTestSupport.FAST_GROUPS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vltava.node.GroupTestSupport.PollingConsumer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several real KafkaConsumers in one group: partitions are shared out, and move when a member goes. */
class ConsumerGroupTest {
  @TempDir static Path dataDir;
  static VltavaNode node;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(dataDir, FAST_GROUPS);
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @Test
  void threeConsumersShareSixPartitionsAndReadEveryRecordOnce() throws Exception {
    String bootstrap = node.bootstrapServers();
    GroupTestSupport.createTopic(bootstrap, "six", 6);
    List<PollingConsumer> consumers = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        consumers.add(new PollingConsumer(GroupTestSupport.groupConsumerProps(bootstrap, "three"), "six"));
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> consumers.stream().allMatch(c -> c.assignment.size() == 2));
      assertEquals(6, allAssigned(consumers).size());

      GroupTestSupport.produce(bootstrap, "six", 6, 50);
      await().atMost(Duration.ofSeconds(30)).until(() -> consumers.stream().mapToInt(c -> c.received.size()).sum() >= 300);
      List<String> all = new ArrayList<>();
      consumers.forEach(c -> all.addAll(c.received));
      Set<String> expected = new HashSet<>();
      for (int p = 0; p < 6; p++) {
        for (int o = 0; o < 50; o++) {
          expected.add(p + "/" + o);
        }
      }
      assertEquals(300, all.size(), "no record twice");
      assertEquals(expected, new HashSet<>(all));
      for (PollingConsumer c : consumers) {
        c.received.forEach(r -> assertEquals(true,
            c.assignment.contains(new TopicPartition("six", Integer.parseInt(r.split("/")[0])))));
      }
    } finally {
      for (PollingConsumer c : consumers) {
        c.close();
      }
    }
  }

  @Test
  void aClosedConsumersPartitionsGoToTheOthers() throws Exception {
    String bootstrap = node.bootstrapServers();
    GroupTestSupport.createTopic(bootstrap, "closing", 6);
    List<PollingConsumer> consumers = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        consumers.add(new PollingConsumer(GroupTestSupport.groupConsumerProps(bootstrap, "closing"), "closing"));
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> consumers.stream().allMatch(c -> c.assignment.size() == 2));
      consumers.remove(0).close();
      await().atMost(Duration.ofSeconds(30)).until(() -> consumers.stream().allMatch(c -> c.assignment.size() == 3));
      assertEquals(6, allAssigned(consumers).size());
    } finally {
      for (PollingConsumer c : consumers) {
        c.close();
      }
    }
  }

  @Test
  void aMemberThatStopsHeartbeatingLosesItsPartitionsAfterTheSessionTimeout() throws Exception {
    String bootstrap = node.bootstrapServers();
    GroupTestSupport.createTopic(bootstrap, "silent", 6);
    List<PollingConsumer> consumers = new ArrayList<>();
    try (RawMember silent = new RawMember(node.kafkaAddress(), "silent", null)) {
      for (int i = 0; i < 2; i++) {
        consumers.add(new PollingConsumer(GroupTestSupport.groupConsumerProps(bootstrap, "silent"), "silent"));
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> consumers.stream().allMatch(c -> c.assignment.size() == 3));
      // The third member joins and syncs like a consumer, then never heartbeats again.
      assertEquals(org.apache.kafka.common.protocol.Errors.NONE, silent.join("silent", 1000));
      assertEquals(2, silent.sync().size());
      await().atMost(Duration.ofSeconds(30)).until(() -> consumers.stream().allMatch(c -> c.assignment.size() == 2));
      long silentSince = System.nanoTime();
      await().atMost(Duration.ofSeconds(30)).until(() -> consumers.stream().allMatch(c -> c.assignment.size() == 3));
      assertEquals(6, allAssigned(consumers).size());
      assertEquals(true, System.nanoTime() - silentSince >= Duration.ofMillis(900).toNanos(),
          "the silent member kept its partitions until its session timed out");
      assertEquals(org.apache.kafka.common.protocol.Errors.UNKNOWN_MEMBER_ID, silent.heartbeat(silent.generationId));
    } finally {
      for (PollingConsumer c : consumers) {
        c.close();
      }
    }
  }

  private static Set<TopicPartition> allAssigned(List<PollingConsumer> consumers) {
    Set<TopicPartition> all = new HashSet<>();
    consumers.forEach(c -> all.addAll(c.assignment));
    return all;
  }
}
