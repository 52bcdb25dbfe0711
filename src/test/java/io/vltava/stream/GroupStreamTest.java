package io.vltava.stream;

import static io.vltava.stream.StreamTestBroker.await;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.Done;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consumer groups through the Streams API: topic subscriptions, committable sources with
 * Committer.sink, at-least-once and at-most-once across an abrupt restart, drainAndShutdown
 * committing everything processed, and a stalled group member staying in its group.
 * NEEDS the group APIs (FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
 * OffsetCommit, OffsetFetch, ListGroups/DescribeGroups for Admin.listConsumerGroupOffsets).
 */
class GroupStreamTest {
  @TempDir static Path dataDir;
  static StreamTestBroker broker;
  static final int PARTITIONS = 3;
  static final int RECORDS = 1000;

  @BeforeAll
  static void start() throws Exception {
    broker = new StreamTestBroker(dataDir);
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  /** Creates {@code topic} with RECORDS records "v0".."v999" over PARTITIONS partitions. */
  static void fill(String topic) throws Exception {
    broker.createTopic(topic, PARTITIONS);
    ProducerSettings<String, String> settings =
        ProducerSettings.create(broker.testKit.system(), new StringSerializer(), new StringSerializer())
            .withBootstrapServers(broker.bootstrap());
    await(Source.range(0, RECORDS - 1)
        .map(i -> new ProducerRecord<String, String>(topic, i % PARTITIONS, "k" + i, "v" + i))
        .runWith(Producer.sink(settings), broker.testKit.system()));
  }

  static ConsumerSettings<String, String> groupSettings(String group) {
    return ConsumerSettings.create(broker.testKit.system(), new StringDeserializer(), new StringDeserializer())
        .withBootstrapServers(broker.bootstrap())
        .withGroupId(group)
        .withProperty("auto.offset.reset", "earliest");
  }

  static Set<String> allValues() {
    return IntStream.range(0, RECORDS).mapToObj(i -> "v" + i).collect(Collectors.toSet());
  }

  static Map<TopicPartition, Long> committed(String group) throws Exception {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : broker.admin.listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).entrySet()) {
      offsets.put(entry.getKey(), entry.getValue().offset());
    }
    return offsets;
  }

  static Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
    Map<TopicPartition, Long> ends = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      TopicPartition partition = new TopicPartition(topic, p);
      ends.put(partition, broker.endOffset(partition));
    }
    return ends;
  }

  /** committableSource → process (record the value) → Committer.sink. */
  static Pair<Consumer.Control, CompletionStage<Done>> atLeastOnce(String topic, String group, List<String> processed) {
    return Consumer.committableSource(groupSettings(group), Subscriptions.topics(topic))
        .map(message -> {
          processed.add(message.record().value());
          return message.committableOffset();
        })
        .toMat(Committer.sink(new CommitterSettings(50, Duration.ofMillis(200), 1)), Keep.both())
        .run(broker.testKit.system());
  }

  @Test
  void plainSourceWithAGroupReadsEveryPartitionOfTheTopic() throws Exception {
    String topic = "group-plain";
    fill(topic);
    List<String> values = await(Consumer.plainSource(groupSettings("plain-readers"), Subscriptions.topics(topic))
        .map(record -> record.value())
        .take(RECORDS)
        .runWith(Sink.seq(), broker.testKit.system()));
    assertEquals(allValues(), new HashSet<>(values));
  }

  @Test
  void drainAndShutdownCommitsEverythingProcessed() throws Exception {
    String topic = "group-drain";
    fill(topic);
    List<String> processed = Collections.synchronizedList(new ArrayList<>());
    Pair<Consumer.Control, CompletionStage<Done>> running = atLeastOnce(topic, "drainers", processed);
    await().atMost(Duration.ofSeconds(60)).until(() -> processed.size() == RECORDS);
    await(running.first().drainAndShutdown(running.second(), broker.testKit.system().executionContext()));
    assertEquals(endOffsets(topic), committed("drainers"), "every processed offset was committed");
  }

  @Test
  void atLeastOnceLosesNothingAcrossAnAbruptShutdown() throws Exception {
    String topic = "group-at-least-once";
    fill(topic);
    List<String> processed = Collections.synchronizedList(new ArrayList<>());
    Pair<Consumer.Control, CompletionStage<Done>> first = atLeastOnce(topic, "alo", processed);
    await().atMost(Duration.ofSeconds(60)).until(() -> processed.size() >= RECORDS / 3);
    await(first.first().shutdown()); // no drain: the last batch of offsets is never committed

    Pair<Consumer.Control, CompletionStage<Done>> second = atLeastOnce(topic, "alo", processed);
    await().atMost(Duration.ofSeconds(60)).until(() -> new HashSet<>(processed).containsAll(allValues()));
    await(second.first().drainAndShutdown(second.second(), broker.testKit.system().executionContext()));
    assertEquals(allValues(), new HashSet<>(processed), "nothing lost (duplicates allowed)");
    assertEquals(endOffsets(topic), committed("alo"));
  }

  @Test
  void atMostOnceDuplicatesNothingAcrossAnAbruptShutdown() throws Exception {
    String topic = "group-at-most-once";
    fill(topic);
    List<String> processed = Collections.synchronizedList(new ArrayList<>());
    // Commit each offset before processing its record.
    java.util.function.Supplier<Consumer.Control> run = () -> Consumer
        .committableSource(groupSettings("amo"), Subscriptions.topics(topic))
        .mapAsync(1, message -> message.committableOffset().commit().thenApply(done -> message.record()))
        .toMat(Sink.foreach(record -> processed.add(record.value())), Keep.left())
        .run(broker.testKit.system());
    Consumer.Control first = run.get();
    await().atMost(Duration.ofSeconds(60)).until(() -> processed.size() >= RECORDS / 3);
    await(first.shutdown());

    Consumer.Control second = run.get();
    await().atMost(Duration.ofSeconds(60)).until(() -> committed("amo").equals(endOffsets(topic)));
    await(second.shutdown());
    assertEquals(processed.size(), new HashSet<>(processed).size(), "nothing processed twice");
    assertTrue(processed.size() >= RECORDS - 1, "at most the record in flight at the shutdown is lost: " + processed.size());
  }

  @Test
  void aStalledGroupMemberKeepsItsPartitionsBeyondMaxPollInterval() throws Exception {
    String topic = "group-stalled";
    fill(topic);
    ConsumerSettings<String, String> settings = groupSettings("stalled")
        .withProperty("max.poll.interval.ms", "2000")
        .withProperty("session.timeout.ms", "6000")
        .withProperty("heartbeat.interval.ms", "500");
    Pair<Consumer.Control, SinkQueueWithCancel<ConsumerMessage.CommittableMessage<String, String>>> running =
        Consumer.committableSource(settings, Subscriptions.topics(topic))
            .toMat(Sink.queue(1), Keep.both())
            .run(broker.testKit.system());
    ConsumerMessage.CommittableMessage<String, String> firstMessage = await(running.second().pull()).orElseThrow();
    // Downstream stalls for twice max.poll.interval.ms; the source keeps polling (paused) so the
    // member is not dropped, and a commit afterwards still succeeds with the same generation.
    broker.testKit.createTestProbe().expectNoMessage(Duration.ofMillis(4000));
    await(firstMessage.committableOffset().commit());
    Set<String> rest = new HashSet<>();
    rest.add(firstMessage.record().value());
    while (rest.size() < RECORDS) {
      rest.add(await(running.second().pull()).orElseThrow().record().value());
    }
    assertEquals(allValues(), rest);
    running.second().cancel();
    await(running.first().isShutdown());
  }
}
