package io.vltava.stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vltava.testkit.VltavaTestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.kafka.CommitterSettings;
import org.apache.pekko.kafka.ConsumerSettings;
import org.apache.pekko.kafka.ProducerSettings;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Committer;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.apache.pekko.kafka.javadsl.Producer;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * pekko-connectors-kafka (the Apache Pekko Kafka connector, on Pekko 1.7.0 and kafka-clients
 * 4.3.1 here) against a Vltava broker: plainSink, then committableSource with Committer.sink.
 * The connector's classes are imported by name, so they shadow Vltava's namesakes in this package.
 */
class PekkoConnectorsKafkaTest {
  private static final String TOPIC = "connector-interop";
  private static final int PARTITIONS = 3;
  private static final int RECORDS = 300;

  static VltavaTestKit kit;

  @BeforeAll
  static void start() throws Exception {
    kit = VltavaTestKit.start(1);
    kit.createTopic(TOPIC, PARTITIONS, 1);
  }

  @AfterAll
  static void stop() throws Exception {
    kit.close();
  }

  @Test
  void plainSinkThenCommittableSourceWithCommitterSinkRoundTrip() throws Exception {
    ActorSystem<Void> system = kit.clientSystem();
    ProducerSettings<String, String> producerSettings =
        ProducerSettings.create(system, new StringSerializer(), new StringSerializer())
            .withBootstrapServers(kit.bootstrapServers());
    Source.range(0, RECORDS - 1)
        .map(i -> new ProducerRecord<>(TOPIC, "key-" + i, "value-" + i))
        .runWith(Producer.plainSink(producerSettings), system)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);

    String group = "connector-group";
    ConsumerSettings<String, String> consumerSettings =
        ConsumerSettings.create(system, new StringDeserializer(), new StringDeserializer())
            .withBootstrapServers(kit.bootstrapServers())
            .withGroupId(group)
            // DrainingControl commits before shutdown, so the stage need not linger (default 30 s) for late commits.
            .withStopTimeout(Duration.ZERO)
            .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    ConcurrentLinkedQueue<ConsumerRecord<String, String>> consumed = new ConcurrentLinkedQueue<>();
    Consumer.DrainingControl<Done> control = Consumer.committableSource(consumerSettings, Subscriptions.topics(TOPIC))
        .map(message -> {
          consumed.add(message.record());
          return message.committableOffset();
        })
        .toMat(Committer.sink(CommitterSettings.create(system).withMaxBatch(50)), Consumer::createDrainingControl)
        .run(system);
    await().atMost(Duration.ofSeconds(30)).until(() -> consumed.size() >= RECORDS);
    control.drainAndShutdown(system.executionContext()).toCompletableFuture().get(30, TimeUnit.SECONDS);

    Map<String, String> valueByKey = new TreeMap<>();
    Map<Integer, List<Long>> offsetsByPartition = new HashMap<>();
    for (ConsumerRecord<String, String> record : consumed) {
      valueByKey.put(record.key(), record.value());
      offsetsByPartition.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record.offset());
    }
    Map<String, String> expected = new TreeMap<>();
    IntStream.range(0, RECORDS).forEach(i -> expected.put("key-" + i, "value-" + i));
    assertEquals(RECORDS, consumed.size(), "each record exactly once");
    assertEquals(expected, valueByKey);

    Map<TopicPartition, OffsetAndMetadata> committed = kit.admin().listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
    for (int p = 0; p < PARTITIONS; p++) {
      TopicPartition partition = new TopicPartition(TOPIC, p);
      long end = kit.admin().listOffsets(Map.of(partition, OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS)
          .get(partition).offset();
      List<Long> read = offsetsByPartition.getOrDefault(p, List.of());
      assertEquals(LongStream.range(0, end).boxed().toList(), read, "partition " + p + " read in offset order, from 0 to its end");
      assertEquals(end, committed.get(partition).offset(), "partition " + p + " committed up to its end");
    }
  }
}
