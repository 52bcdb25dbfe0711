package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.kafka.KafkaSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Incremental fetch sessions (KIP-227) over the wire, at every Fetch version the node advertises:
 * requests built with kafka-clients' FetchRequest.Builder at that version, responses parsed at it.
 */
@Timeout(300)
class FetchSessionTest {
  private static final int NO_WAIT_MS = 0;
  private static final int SHORT_WAIT_MS = 100;

  @TempDir static Path dataDir;
  static FetchSessionSupport broker;
  static VltavaNode node;

  @BeforeAll
  static void start() throws Exception {
    broker = new FetchSessionSupport(TestNodes.start(dataDir));
    node = broker.node;
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  static IntStream sessionVersions() {
    return FetchSessionSupport.sessionVersions();
  }

  /** Advertised versions before sessions existed. */
  static IntStream sessionlessVersions() {
    return IntStream.range(ApiKeys.FETCH.oldestVersion(), 7);
  }

  @ParameterizedTest(name = "Fetch v{0}")
  @MethodSource("sessionVersions")
  void aSessionAnswersOnlyWhatChangedUntilItIsClosed(int v) throws Exception {
    short version = (short) v;
    FetchSessionSupport.Topic topic = broker.createTopic("session-v" + version, 3);
    broker.produce(topic.partition(0), "a0", "a1");
    broker.produce(topic.partition(1), "b0");
    try (KafkaSocket socket = new KafkaSocket(node.kafkaAddress())) {
      // A full fetch (epoch 0) creates a session and answers every partition.
      FetchResponse full = broker.fetch(socket, version, FetchMetadata.INITIAL,
          Map.of(topic.partition(0), topic.at(0, 0), topic.partition(1), topic.at(1, 0), topic.partition(2), topic.at(2, 0)),
          List.of(), NO_WAIT_MS);
      assertEquals(Errors.NONE, full.error());
      int sessionId = full.sessionId();
      assertNotEquals(FetchMetadata.INVALID_SESSION_ID, sessionId, "a session was created");
      assertEquals(Map.of(topic.partition(0), List.of("a0", "a1"), topic.partition(1), List.of("b0"), topic.partition(2), List.of()),
          topic.values(full, version));

      // The client sends only the partitions whose offsets moved; nothing is new, so nothing comes back.
      FetchResponse nothingNew = broker.fetch(socket, version, new FetchMetadata(sessionId, 1),
          Map.of(topic.partition(0), topic.at(0, 2), topic.partition(1), topic.at(1, 1)), List.of(), SHORT_WAIT_MS);
      assertEquals(Errors.NONE, nothingNew.error());
      assertEquals(sessionId, nothingNew.sessionId());
      assertEquals(Map.of(), topic.values(nothingNew, version), "an incremental fetch with no news is empty");

      // New data in one partition: only that partition, though the request names none.
      broker.produce(topic.partition(2), "c0");
      FetchResponse oneNew = broker.fetch(socket, version, new FetchMetadata(sessionId, 2), Map.of(), List.of(), SHORT_WAIT_MS);
      assertEquals(Map.of(topic.partition(2), List.of("c0")), topic.values(oneNew, version));
      FetchResponseData.PartitionData c = oneNew.data().responses().get(0).partitions().get(0);
      assertEquals(1, c.highWatermark());

      // A forgotten partition is no longer read, even with new data.
      broker.produce(topic.partition(0), "a2");
      broker.produce(topic.partition(2), "c1");
      FetchResponse afterForget = broker.fetch(socket, version, new FetchMetadata(sessionId, 3),
          Map.of(), List.of(topic.idPartition(2)), SHORT_WAIT_MS);
      assertEquals(Map.of(topic.partition(0), List.of("a2")), topic.values(afterForget, version));

      // The epoch must follow exactly; a wrong one changes nothing.
      FetchResponse repeated = broker.fetch(socket, version, new FetchMetadata(sessionId, 3), Map.of(), List.of(), NO_WAIT_MS);
      assertEquals(Errors.INVALID_FETCH_SESSION_EPOCH, repeated.error());
      assertEquals(List.of(), repeated.data().responses());
      assertEquals(Errors.INVALID_FETCH_SESSION_EPOCH,
          broker.fetch(socket, version, new FetchMetadata(sessionId, 9), Map.of(), List.of(), NO_WAIT_MS).error());
      // A session keeps to topic ids, or to names, as it started.
      short otherNaming = (short) (version >= 13 ? 12 : 13);
      assertEquals(Errors.FETCH_SESSION_TOPIC_ID_ERROR,
          broker.fetch(socket, otherNaming, new FetchMetadata(sessionId, 4), Map.of(), List.of(), NO_WAIT_MS).error());
      broker.produce(topic.partition(1), "b1");
      FetchResponse stillThere = broker.fetch(socket, version, new FetchMetadata(sessionId, 4),
          Map.of(topic.partition(0), topic.at(0, 3)), List.of(), SHORT_WAIT_MS);
      assertEquals(Map.of(topic.partition(1), List.of("b1")), topic.values(stillThere, version));

      // Epoch -1 closes the session: answered in full without one, and the id is gone.
      FetchResponse closing = broker.fetch(socket, version, new FetchMetadata(sessionId, FetchMetadata.FINAL_EPOCH),
          Map.of(topic.partition(1), topic.at(1, 0)), List.of(), NO_WAIT_MS);
      assertEquals(Errors.NONE, closing.error());
      assertEquals(FetchMetadata.INVALID_SESSION_ID, closing.sessionId());
      assertEquals(Map.of(topic.partition(1), List.of("b0", "b1")), topic.values(closing, version));
      assertEquals(Errors.FETCH_SESSION_ID_NOT_FOUND,
          broker.fetch(socket, version, new FetchMetadata(sessionId, 5), Map.of(), List.of(), NO_WAIT_MS).error());
    }
  }

  @ParameterizedTest(name = "Fetch v{0}")
  @MethodSource("sessionVersions")
  void anUnknownSessionIdIsNotFound(int v) throws Exception {
    short version = (short) v;
    try (KafkaSocket socket = new KafkaSocket(node.kafkaAddress())) {
      FetchResponse response = broker.fetch(socket, version, new FetchMetadata(987_654_321, 1), Map.of(), List.of(), NO_WAIT_MS);
      assertEquals(Errors.FETCH_SESSION_ID_NOT_FOUND, response.error());
      assertEquals(FetchMetadata.INVALID_SESSION_ID, response.sessionId());
      assertEquals(List.of(), response.data().responses());
    }
  }

  @ParameterizedTest(name = "Fetch v{0}")
  @MethodSource("sessionlessVersions")
  void versionsBeforeSessionsFetchInFull(int v) throws Exception {
    short version = (short) v;
    FetchSessionSupport.Topic topic = broker.createTopic("sessionless-v" + version, 2);
    broker.produce(topic.partition(0), "x0");
    try (KafkaSocket socket = new KafkaSocket(node.kafkaAddress())) {
      FetchResponse response = broker.fetch(socket, version, FetchMetadata.LEGACY,
          Map.of(topic.partition(0), topic.at(0, 0), topic.partition(1), topic.at(1, 0)), List.of(), NO_WAIT_MS);
      assertEquals(Errors.NONE, response.error());
      assertEquals(FetchMetadata.INVALID_SESSION_ID, response.sessionId());
      assertEquals(Map.of(topic.partition(0), List.of("x0"), topic.partition(1), List.of()), topic.values(response, version));
    }
  }

  @Test
  void aConsumerReadsManyPartitionsThroughOneSession() throws Exception {
    int partitions = 40;
    int perPartition = 25;
    FetchSessionSupport.Topic topic = broker.createTopic("consumed-through-sessions", partitions);
    for (int p = 0; p < partitions; p++) {
      for (int i = 0; i < perPartition; i++) {
        broker.producer.send(new ProducerRecord<>(topic.name(), p, null, ("p" + p + "-" + i).getBytes(StandardCharsets.UTF_8)));
      }
    }
    broker.producer.flush();
    int sessionsBefore = node.fetchSessions().size();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(TestNodes.consumerProps(node.bootstrapServers()))) {
      List<TopicPartition> all = IntStream.range(0, partitions).mapToObj(topic::partition).toList();
      consumer.assign(all);
      consumer.seekToBeginning(all);
      Map<TopicPartition, List<String>> read = pollUntil(consumer, partitions * perPartition);
      for (int p = 0; p < partitions; p++) {
        int partition = p;
        assertEquals(IntStream.range(0, perPartition).mapToObj(i -> "p" + partition + "-" + i).toList(),
            read.get(topic.partition(p)), "partition " + p + " in order");
      }
      assertEquals(sessionsBefore + 1, node.fetchSessions().size(), "the consumer holds one session");

      // Later records reach it through the same session, which answers only the partition that moved.
      broker.producer.send(new ProducerRecord<>(topic.name(), 7, null, "late".getBytes(StandardCharsets.UTF_8))).get();
      assertEquals(Map.of(topic.partition(7), List.of("late")), pollUntil(consumer, 1));
      assertEquals(sessionsBefore + 1, node.fetchSessions().size());
      assertTrue(node.fetchSessions().cachedPartitions() >= partitions, "the session caches every partition");
    }
  }

  /** Polls until {@code count} records arrived (bounded), grouped by partition in arrival order. */
  private static Map<TopicPartition, List<String>> pollUntil(KafkaConsumer<byte[], byte[]> consumer, int count) {
    Map<TopicPartition, List<String>> read = new HashMap<>();
    int total = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (total < count && System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
        read.computeIfAbsent(new TopicPartition(record.topic(), record.partition()), tp -> new ArrayList<>())
            .add(new String(record.value(), StandardCharsets.UTF_8));
        total++;
      }
    }
    assertEquals(count, total, "records read");
    return read;
  }
}
