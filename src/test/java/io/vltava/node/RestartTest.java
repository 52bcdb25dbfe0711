package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Acknowledged records and topics survive an orderly restart, a SIGTERM, and a SIGKILL. */
class RestartTest {
  @TempDir Path dataDir;

  @Test
  void orderlyRestartKeepsTopicsAndRecords() throws Exception {
    List<String> acknowledged;
    try (VltavaNode node = TestNodes.start(dataDir)) {
      createTopic(node.bootstrapServers(), "kept", 2);
      acknowledged = produce(node.bootstrapServers(), "kept", 0, 500);
    }
    try (VltavaNode node = TestNodes.start(dataDir)) {
      try (Admin admin = Admin.create(TestNodes.adminProps(node.bootstrapServers()))) {
        assertEquals(2, admin.describeTopics(List.of("kept")).allTopicNames().get().get("kept").partitions().size());
      }
      assertEquals(acknowledged, consume(node.bootstrapServers(), "kept", 2, acknowledged.size()));
      List<String> more = produce(node.bootstrapServers(), "kept", 500, 100);
      List<String> all = new ArrayList<>(acknowledged);
      all.addAll(more);
      all.sort(null);
      assertEquals(all, consume(node.bootstrapServers(), "kept", 2, all.size()));
    }
  }

  @Test
  void sigtermShutsDownInOrderAndExitsZero() throws Exception {
    List<String> acknowledged;
    try (BrokerProcess broker = BrokerProcess.start(dataDir)) {
      createTopic(broker.bootstrapServers(), "graceful", 1);
      acknowledged = produce(broker.bootstrapServers(), "graceful", 0, 300);
      assertEquals(0, broker.terminate(Duration.ofSeconds(60)));
    }
    assertTrue(Files.exists(dataDir.resolve("graceful-0")), "the partition directory is where the README says");
    try (VltavaNode node = TestNodes.start(dataDir)) {
      assertEquals(acknowledged, consume(node.bootstrapServers(), "graceful", 1, acknowledged.size()));
    }
  }

  @Test
  void crashKeepsEveryAcknowledgedRecord() throws Exception {
    List<String> acknowledged;
    try (BrokerProcess broker = BrokerProcess.start(dataDir)) {
      createTopic(broker.bootstrapServers(), "crashed", 3);
      acknowledged = produce(broker.bootstrapServers(), "crashed", 0, 2000);
      broker.crash();
    }
    try (VltavaNode node = TestNodes.start(dataDir)) {
      assertEquals(acknowledged, consume(node.bootstrapServers(), "crashed", 3, acknowledged.size()));
      List<String> after = produce(node.bootstrapServers(), "crashed", 2000, 10);
      assertEquals(10, after.size());
    }
  }

  private static void createTopic(String bootstrap, String topic, int partitions) throws Exception {
    try (Admin admin = Admin.create(TestNodes.adminProps(bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    }
  }

  /** Sends values "first".."first+count-1" with acks=1 and returns those acknowledged, as "partition/offset/value", sorted. */
  private static List<String> produce(String bootstrap, String topic, int first, int count) throws Exception {
    Properties props = TestNodes.producerProps(bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "1");
    List<Future<RecordMetadata>> futures = new ArrayList<>();
    List<String> values = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      for (int i = first; i < first + count; i++) {
        String value = "value-" + i;
        values.add(value);
        futures.add(producer.send(new ProducerRecord<>(topic, ("k" + i).getBytes(StandardCharsets.UTF_8),
            value.getBytes(StandardCharsets.UTF_8))));
      }
      producer.flush();
    }
    List<String> acknowledged = new ArrayList<>();
    for (int i = 0; i < futures.size(); i++) {
      RecordMetadata metadata = futures.get(i).get();
      acknowledged.add(metadata.partition() + "/" + metadata.offset() + "/" + values.get(i));
    }
    acknowledged.sort(null);
    return acknowledged;
  }

  private static List<String> consume(String bootstrap, String topic, int partitions, int expected) {
    List<String> seen = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(TestNodes.consumerProps(bootstrap))) {
      List<TopicPartition> all = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        all.add(new TopicPartition(topic, p));
      }
      consumer.assign(all);
      consumer.seekToBeginning(all);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (seen.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          seen.add(r.partition() + "/" + r.offset() + "/" + new String(r.value(), StandardCharsets.UTF_8));
        }
      }
      consumer.poll(Duration.ofMillis(300)).forEach(r ->
          seen.add(r.partition() + "/" + r.offset() + "/" + new String(r.value(), StandardCharsets.UTF_8)));
    }
    seen.sort(null);
    return seen;
  }
}
