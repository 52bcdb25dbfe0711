package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incremental fetch sessions (KIP-227) with a real kafka-clients consumer. Every session path at
 * every Fetch version is checked over the wire by the conformance suite's FetchCase.
 */
@Timeout(300)
class FetchSessionTest {
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
    Map<TopicPartition, List<String>> read = TestNodes.pollValues(consumer, count);
    assertEquals(count, read.values().stream().mapToInt(List::size).sum(), "records read");
    return read;
  }
}
