package io.vltava.node;

import static io.vltava.node.GroupTestSupport.FAST_GROUPS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Committed offsets with real KafkaConsumers: a new consumer of the group resumes exactly there,
 * also after an orderly restart and a crash of the broker; at-most-once loses and at-least-once
 * repeats exactly the records of an interrupted batch; auto-commit commits.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CommittedOffsetsTest {
  private static final TopicPartition P0 = new TopicPartition("events", 0);

  @TempDir Path dataDir;

  @Test
  void aNewConsumerResumesAtTheCommittedOffsetAcrossAnOrderlyRestart() throws Exception {
    try (VltavaNode node = TestNodes.start(dataDir, FAST_GROUPS)) {
      GroupTestSupport.createTopic(node.bootstrapServers(), "events", 1);
      GroupTestSupport.produce(node.bootstrapServers(), "events", 1, 100);
      try (KafkaConsumer<byte[], byte[]> consumer = subscribed(node.bootstrapServers(), "resume", 30)) {
        assertEquals(LongStream.range(0, 30).boxed().toList(), offsets(pollUntil(consumer, 30)));
        consumer.commitSync(Map.of(P0, new OffsetAndMetadata(30)));
      }
      try (KafkaConsumer<byte[], byte[]> consumer = subscribed(node.bootstrapServers(), "resume", 10)) {
        assertEquals(LongStream.range(30, 40).boxed().toList(), offsets(pollUntil(consumer, 10)));
        consumer.commitSync(Map.of(P0, new OffsetAndMetadata(40)));
      }
    }
    try (VltavaNode node = TestNodes.start(dataDir, FAST_GROUPS);
        KafkaConsumer<byte[], byte[]> consumer = subscribed(node.bootstrapServers(), "resume", 10)) {
      assertEquals(LongStream.range(40, 50).boxed().toList(), offsets(pollUntil(consumer, 10)));
    }
  }

  @Test
  void committedOffsetsSurviveABrokerCrash() throws Exception {
    Path config = dataDir.resolveSibling(dataDir.getFileName() + "-groups.conf");
    Files.writeString(config, "vltava.groups.group.initial.rebalance.delay.ms = 0\n"
        + "vltava.groups.group.min.session.timeout.ms = 100\n");
    try (BrokerProcess broker = BrokerProcess.start(dataDir, "--config", config.toString())) {
      GroupTestSupport.createTopic(broker.bootstrapServers(), "events", 1);
      GroupTestSupport.produce(broker.bootstrapServers(), "events", 1, 100);
      for (long committed = 10; committed <= 70; committed += 10) {
        try (KafkaConsumer<byte[], byte[]> consumer = subscribed(broker.bootstrapServers(), "crash", 10)) {
          assertEquals(LongStream.range(committed - 10, committed).boxed().toList(), offsets(pollUntil(consumer, 10)));
          consumer.commitSync(Map.of(P0, new OffsetAndMetadata(committed)));
        }
      }
      broker.crash();
    }
    try (VltavaNode node = TestNodes.start(dataDir, FAST_GROUPS);
        KafkaConsumer<byte[], byte[]> consumer = subscribed(node.bootstrapServers(), "crash", 10)) {
      assertEquals(LongStream.range(70, 80).boxed().toList(), offsets(pollUntil(consumer, 10)));
    }
  }

  @Test
  void atMostOnceLosesTheRestOfTheBatchAfterACrash() throws Exception {
    try (VltavaNode node = TestNodes.start(dataDir, FAST_GROUPS)) {
      GroupTestSupport.createTopic(node.bootstrapServers(), "events", 1);
      GroupTestSupport.produce(node.bootstrapServers(), "events", 1, 100);
      List<Long> processed = new ArrayList<>();
      try (KafkaConsumer<byte[], byte[]> consumer = subscribed(node.bootstrapServers(), "at-most-once", 20)) {
        List<ConsumerRecord<byte[], byte[]>> batch = pollUntil(consumer, 20);
        consumer.commitSync(); // before processing: the batch counts as done
        for (ConsumerRecord<byte[], byte[]> record : batch) {
          if (record.offset() == 5) {
            break; // the "crash": offsets 5..19 were committed but never processed
          }
          processed.add(record.offset());
        }
      }
      try (KafkaConsumer<byte[], byte[]> consumer = subscribed(node.bootstrapServers(), "at-most-once", 100)) {
        pollUntil(consumer, 80).forEach(r -> processed.add(r.offset()));
      }
      List<Long> lost = LongStream.range(0, 100).boxed().filter(o -> !processed.contains(o)).toList();
      assertEquals(LongStream.range(5, 20).boxed().toList(), lost);
      assertEquals(85, processed.size(), "nothing processed twice");
    }
  }

  @Test
  void atLeastOnceRepeatsExactlyTheUncommittedRecordsAfterACrash() throws Exception {
    try (VltavaNode node = TestNodes.start(dataDir, FAST_GROUPS)) {
      GroupTestSupport.createTopic(node.bootstrapServers(), "events", 1);
      GroupTestSupport.produce(node.bootstrapServers(), "events", 1, 100);
      List<Long> processed = new ArrayList<>();
      try (KafkaConsumer<byte[], byte[]> consumer = subscribed(node.bootstrapServers(), "at-least-once", 20)) {
        pollUntil(consumer, 20).forEach(r -> processed.add(r.offset()));
        consumer.commitSync(); // after processing
        for (ConsumerRecord<byte[], byte[]> record : pollUntil(consumer, 20)) {
          processed.add(record.offset());
          if (record.offset() == 26) {
            break; // the "crash" before the commit: 20..26 were processed, not committed
          }
        }
      }
      try (KafkaConsumer<byte[], byte[]> consumer = subscribed(node.bootstrapServers(), "at-least-once", 100)) {
        pollUntil(consumer, 80).forEach(r -> processed.add(r.offset()));
      }
      List<Long> repeated = LongStream.range(0, 100).boxed()
          .filter(o -> processed.stream().filter(o::equals).count() > 1).toList();
      assertEquals(LongStream.range(20, 27).boxed().toList(), repeated);
      assertEquals(107, processed.size(), "every record at least once");
    }
  }

  @Test
  void autoCommitCommitsWhatWasPolled() throws Exception {
    try (VltavaNode node = TestNodes.start(dataDir, FAST_GROUPS);
        Admin admin = Admin.create(TestNodes.adminProps(node.bootstrapServers()))) {
      GroupTestSupport.createTopic(node.bootstrapServers(), "events", 1);
      GroupTestSupport.produce(node.bootstrapServers(), "events", 1, 50);
      Properties props = GroupTestSupport.groupConsumerProps(node.bootstrapServers(), "auto");
      props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "true");
      props.put(ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG, "100");
      try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
        consumer.subscribe(List.of("events"));
        assertEquals(50, pollUntil(consumer, 50).size());
        await().atMost(Duration.ofSeconds(20)).until(() -> {
          consumer.poll(Duration.ofMillis(50));
          OffsetAndMetadata committed = admin.listConsumerGroupOffsets("auto").partitionsToOffsetAndMetadata().get().get(P0);
          return committed != null && committed.offset() == 50;
        });
      }
    }
  }

  /** A consumer of group {@code group} subscribed to "events", fetching at most {@code maxPollRecords} per poll. */
  @Test
  void aGroupCommittingThousandsOfTimesKeepsABoundedJournalAndRecoversItsLatestOffsets() throws Exception {
    Map<String, Object> settings = new java.util.HashMap<>(FAST_GROUPS);
    settings.put("vltava.groups.offsets-snapshot-every", 100);
    TopicPartition p1 = new TopicPartition("events", 1);
    int commits = 1_000;
    try (VltavaNode node = TestNodes.start(dataDir, settings)) {
      GroupTestSupport.createTopic(node.bootstrapServers(), "events", 2);
      try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(GroupTestSupport.groupConsumerProps(node.bootstrapServers(), "busy"))) {
        for (int i = 1; i <= commits; i++) {
          consumer.commitSync(Map.of(P0, new OffsetAndMetadata(i), p1, new OffsetAndMetadata(2L * i, "m" + i)));
        }
      }
      // Snapshots at 900 and 1000 are kept; the one at 1000 deleted the events up to 800.
      io.vltava.persistence.JournalStore journal =
          io.vltava.persistence.JournalStorageExtension.get(node.system()).store().toCompletableFuture().get();
      String persistenceId = io.vltava.group.GroupCoordinator.persistenceId("busy").id();
      await().atMost(Duration.ofSeconds(15)).until(() -> liveEvents(journal, persistenceId), org.hamcrest.Matchers.equalTo(200));
      assertEquals((long) commits, journal.highestSeqNr(persistenceId).toCompletableFuture().get());
    }
    try (VltavaNode node = TestNodes.start(dataDir, settings);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(GroupTestSupport.groupConsumerProps(node.bootstrapServers(), "busy"))) {
      Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(java.util.Set.of(P0, p1), Duration.ofSeconds(30));
      assertEquals(new OffsetAndMetadata(commits), committed.get(P0));
      assertEquals(new OffsetAndMetadata(2L * commits, "m" + commits), committed.get(p1));
    }
  }

  private static int liveEvents(io.vltava.persistence.JournalStore journal, String persistenceId) throws Exception {
    int[] count = {0};
    journal.replay(persistenceId, 1, Long.MAX_VALUE, Long.MAX_VALUE, event -> count[0]++).toCompletableFuture().get();
    return count[0];
  }

  private static KafkaConsumer<byte[], byte[]> subscribed(String bootstrap, String group, int maxPollRecords) {
    Properties props = GroupTestSupport.groupConsumerProps(bootstrap, group);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(maxPollRecords));
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props);
    consumer.subscribe(List.of("events"));
    return consumer;
  }

  /** Polls until {@code count} records arrived (failing after 30 s); returns them in order. */
  private static List<ConsumerRecord<byte[], byte[]>> pollUntil(KafkaConsumer<byte[], byte[]> consumer, int count) {
    List<ConsumerRecord<byte[], byte[]>> received = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (received.size() < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("received " + received.size() + " of " + count + " records");
      }
      ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
      records.forEach(received::add);
    }
    return received;
  }

  private static List<Long> offsets(List<ConsumerRecord<byte[], byte[]>> records) {
    return records.stream().map(ConsumerRecord::offset).toList();
  }
}
