package io.vltava.stream;

import static io.vltava.stream.StreamTestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** 1,000,000 small records through Producer.sink and back through Consumer.plainSource. */
class MillionRecordsTest {
  @RegisterExtension static final StreamTestBroker broker = new StreamTestBroker();

  /** Per partition: how many records arrived, and how many were not the next expected one. */
  static final class PerPartition {
    final long[] next;
    long outOfOrder;

    PerPartition(int partitions) {
      next = new long[partitions];
    }

    void accept(ConsumerRecord<byte[], byte[]> record) {
      int p = record.partition();
      long sequence = Long.parseLong(new String(record.value(), StandardCharsets.US_ASCII));
      if (sequence != next[p] || record.offset() != next[p]) {
        outOfOrder++;
      }
      next[p]++;
    }
  }

  @Test
  void aMillionRecordsRoundTripInOrderPerPartition() throws Exception {
    String topic = "million";
    int partitions = 4;
    int count = 1_000_000;
    broker.createTopic(topic, partitions);

    ProducerSettings<byte[], byte[]> producerSettings =
        ProducerSettings.create(broker.testKit.system(), new ByteArraySerializer(), new ByteArraySerializer())
            .withBootstrapServers(broker.bootstrap())
            .withProperty("linger.ms", "20")
            .withProperty("batch.size", "262144");
    long produceStart = System.nanoTime();
    // Record i goes to partition i % 4 as that partition's (i / 4)-th record: a 10-byte sequence number.
    await(Source.range(0, count - 1)
        .map(i -> new ProducerRecord<byte[], byte[]>(topic, i % partitions, null,
            String.format("%010d", i / partitions).getBytes(StandardCharsets.US_ASCII)))
        .runWith(Producer.sink(producerSettings), broker.testKit.system()));
    long produceMs = (System.nanoTime() - produceStart) / 1_000_000;

    Map<TopicPartition, Long> fromZero = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      fromZero.put(new TopicPartition(topic, p), 0L);
    }
    ConsumerSettings<byte[], byte[]> consumerSettings =
        ConsumerSettings.create(broker.testKit.system(), new ByteArrayDeserializer(), new ByteArrayDeserializer())
            .withBootstrapServers(broker.bootstrap());
    PerPartition seen = new PerPartition(partitions);
    long consumeStart = System.nanoTime();
    var done = Consumer.plainSource(consumerSettings, Subscriptions.assignmentWithOffset(fromZero))
        .take(count)
        .toMat(Sink.foreach(seen::accept), Keep.both())
        .run(broker.testKit.system());
    await(done.second());
    await(done.first().isShutdown());
    long consumeMs = (System.nanoTime() - consumeStart) / 1_000_000;
    System.out.printf("1M records: produce %d ms, consume %d ms%n", produceMs, consumeMs);

    assertEquals(0, seen.outOfOrder, "records out of order or missing");
    for (int p = 0; p < partitions; p++) {
      assertEquals(count / partitions, seen.next[p], "records read from partition " + p);
      assertEquals(count / partitions, broker.endOffset(new TopicPartition(topic, p)), "records in partition " + p);
    }
  }
}
