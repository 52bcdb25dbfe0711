package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real KafkaProducer and KafkaConsumer against one node: bytes, partitions, order, offsets. */
class ProduceConsumeTest {
  @TempDir static Path dataDir;
  static VltavaNode node;
  static Admin admin;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(dataDir);
    admin = Admin.create(TestNodes.adminProps(node.bootstrapServers()));
  }

  @AfterAll
  static void stop() throws Exception {
    admin.close();
    node.close();
  }

  /** What was sent, and where the broker said it landed. */
  record Sent(ProducerRecord<byte[], byte[]> record, Future<RecordMetadata> metadata) {}

  @Test
  void defaultProducerAndConsumerRoundTripHundredThousandRecords() throws Exception {
    String topic = "round-trip";
    int partitions = 3;
    int count = 100_000;
    admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();

    List<Sent> sent = new ArrayList<>(count);
    long baseTimestamp = 1_700_000_000_000L;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(TestNodes.producerProps(node.bootstrapServers()))) {
      for (int i = 0; i < count; i++) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("index", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, baseTimestamp + i,
            ("key-" + (i % 997)).getBytes(StandardCharsets.UTF_8),
            ("value-" + i).getBytes(StandardCharsets.UTF_8), headers);
        sent.add(new Sent(record, producer.send(record)));
      }
      producer.flush();
    }

    Map<Integer, List<Sent>> expectedByPartition = new HashMap<>();
    for (Sent s : sent) {
      RecordMetadata metadata = s.metadata().get();
      int expectedPartition = Utils.toPositive(Utils.murmur2(s.record().key())) % partitions;
      assertEquals(expectedPartition, metadata.partition(), "the default partitioner's choice");
      expectedByPartition.computeIfAbsent(metadata.partition(), p -> new ArrayList<>()).add(s);
    }

    Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumed = readAll(topic, partitions, count);
    for (int p = 0; p < partitions; p++) {
      List<Sent> expected = expectedByPartition.get(p);
      List<ConsumerRecord<byte[], byte[]>> actual = consumed.get(p);
      assertEquals(expected.size(), actual.size(), "records in partition " + p);
      for (int i = 0; i < expected.size(); i++) {
        ProducerRecord<byte[], byte[]> want = expected.get(i).record();
        ConsumerRecord<byte[], byte[]> got = actual.get(i);
        assertEquals(expected.get(i).metadata().get().offset(), got.offset());
        assertEquals(i, got.offset(), "offsets are dense from 0");
        assertArrayEquals(want.key(), got.key());
        assertArrayEquals(want.value(), got.value());
        assertEquals(want.timestamp(), got.timestamp());
        assertArrayEquals(want.headers().lastHeader("index").value(), got.headers().lastHeader("index").value());
      }
    }
  }

  @Test
  void acksZeroAndOneBothLandEveryRecord() throws Exception {
    for (String acks : List.of("0", "1")) {
      String topic = "acks-" + acks;
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
      TopicPartition partition = new TopicPartition(topic, 0);
      // acks=0 promises nothing: a batch sent before the new leader serves is dropped. Wait for it.
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
          admin.listOffsets(Map.of(partition, OffsetSpec.latest())).all().get().get(partition).offset() == 0);
      Properties props = TestNodes.producerProps(node.bootstrapServers());
      props.put(ProducerConfig.ACKS_CONFIG, acks);
      props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
        for (int i = 0; i < 1000; i++) {
          producer.send(new ProducerRecord<>(topic, ("v" + i).getBytes(StandardCharsets.UTF_8)));
        }
        producer.flush();
      }
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
          admin.listOffsets(Map.of(partition, OffsetSpec.latest())).all().get().get(partition).offset() == 1000);
      List<ConsumerRecord<byte[], byte[]>> records = readAll(topic, 1, 1000).get(0);
      for (int i = 0; i < 1000; i++) {
        assertEquals("v" + i, new String(records.get(i).value(), StandardCharsets.UTF_8));
      }
    }
  }

  @Test
  void listOffsetsByTimestampAndDeleteRecords() throws Exception {
    String topic = "timestamps";
    admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(TestNodes.producerProps(node.bootstrapServers()))) {
      for (int i = 0; i < 100; i++) {
        producer.send(new ProducerRecord<>(topic, 0, 1000L * i, null, ("v" + i).getBytes(StandardCharsets.UTF_8))).get();
      }
    }
    TopicPartition partition = new TopicPartition(topic, 0);
    assertEquals(42, offsetFor(partition, OffsetSpec.forTimestamp(41_500)));
    assertEquals(40, offsetFor(partition, OffsetSpec.forTimestamp(40_000)));
    assertEquals(-1, offsetFor(partition, OffsetSpec.forTimestamp(1_000_000)));
    assertEquals(99, offsetFor(partition, OffsetSpec.maxTimestamp()));
    assertEquals(0, offsetFor(partition, OffsetSpec.earliest()));
    assertEquals(100, offsetFor(partition, OffsetSpec.latest()));

    long lowWatermark = admin.deleteRecords(Map.of(partition, RecordsToDelete.beforeOffset(30)))
        .lowWatermarks().get(partition).get().lowWatermark();
    assertEquals(30, lowWatermark);
    assertEquals(30, offsetFor(partition, OffsetSpec.earliest()));

    Properties props = TestNodes.consumerProps(node.bootstrapServers());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.assign(List.of(partition));
      consumer.seek(partition, 10);
      assertThrows(OffsetOutOfRangeException.class, () -> {
        for (int i = 0; i < 50; i++) {
          consumer.poll(Duration.ofMillis(200));
        }
      });
      consumer.seek(partition, 30);
      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (records.size() < 70 && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      assertEquals(30, records.get(0).offset());
      assertEquals(70, records.size());
    }
  }

  @Test
  void aRecordAboveMaxMessageBytesIsRejected() throws Exception {
    String topic = "small-messages";
    admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("max.message.bytes", "1024")))).all().get();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(TestNodes.producerProps(node.bootstrapServers()))) {
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> producer.send(new ProducerRecord<>(topic, new byte[4096])).get());
      assertInstanceOf(RecordTooLargeException.class, e.getCause());
      RecordMetadata small = producer.send(new ProducerRecord<>(topic, new byte[100])).get();
      assertEquals(0, small.offset(), "the rejected batch took no offset");
    }
  }

  private long offsetFor(TopicPartition partition, OffsetSpec spec) throws Exception {
    return admin.listOffsets(Map.of(partition, spec)).all().get().get(partition).offset();
  }

  /** Reads {@code count} records from the start of every partition, with assign and seek (no group). */
  static Map<Integer, List<ConsumerRecord<byte[], byte[]>>> readAll(String topic, int partitions, int count) {
    Map<Integer, List<ConsumerRecord<byte[], byte[]>>> byPartition = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(TestNodes.consumerProps(node.bootstrapServers()))) {
      List<TopicPartition> all = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        all.add(new TopicPartition(topic, p));
        byPartition.put(p, new ArrayList<>());
      }
      consumer.assign(all);
      consumer.seekToBeginning(all);
      int read = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (read < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          byPartition.get(record.partition()).add(record);
          read++;
        }
      }
      assertEquals(count, read, "records read before the deadline");
      assertTrue(consumer.poll(Duration.ofMillis(300)).isEmpty(), "no records beyond those sent");
    }
    return byPartition;
  }
}
