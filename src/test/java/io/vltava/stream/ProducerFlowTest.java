package io.vltava.stream;

import org.junit.jupiter.api.extension.RegisterExtension;
import static io.vltava.stream.StreamTestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vltava.stream.StreamTestBroker.Transport;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Producer.flow: a result per envelope, in order, with partition, offset and pass-through. */
class ProducerFlowTest {
  @RegisterExtension static final StreamTestBroker broker = new StreamTestBroker();

  private static ProducerSettings<String, String> producerSettings(Transport transport) {
    return broker.producerSettings(transport, new StringSerializer(), new StringSerializer());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void flowEmitsPartitionOffsetAndPassThroughForEveryElementInOrder(Transport transport) throws Exception {
    String topic = "flow-" + transport;
    int partitions = 3;
    int count = 3000;
    broker.createTopic(topic, partitions);

    // Every 10th element only passes through; the others are sent to partition i % 3.
    List<ProducerMessage.Results<String, String, Integer>> results = await(Source.range(0, count - 1)
        .map(i -> i % 10 == 9
            ? ProducerMessage.<String, String, Integer>passThrough(i)
            : ProducerMessage.single(new ProducerRecord<>(topic, i % partitions, "k" + i, "v" + i), i))
        .via(Producer.flow(producerSettings(transport)))
        .runWith(Sink.seq(), broker.system(transport)));

    assertEquals(count, results.size());
    Map<Integer, Long> nextOffset = new HashMap<>();
    Map<TopicPartition, Map<Long, String>> sentAt = new HashMap<>();
    for (int i = 0; i < count; i++) {
      ProducerMessage.Results<String, String, Integer> result = results.get(i);
      assertEquals(i, result.passThrough(), "results come out in the order of the envelopes");
      if (i % 10 == 9) {
        assertInstanceOf(ProducerMessage.PassThroughResult.class, result);
        continue;
      }
      ProducerMessage.Result<String, String, Integer> sent = assertInstanceOf(ProducerMessage.Result.class, result);
      assertEquals(i % partitions, sent.partition());
      long expectedOffset = nextOffset.merge(sent.partition(), 1L, Long::sum) - 1;
      assertEquals(expectedOffset, sent.offset(), "offsets are dense per partition, in send order");
      assertEquals("v" + i, sent.message().record().value());
      sentAt.computeIfAbsent(new TopicPartition(topic, sent.partition()), p -> new HashMap<>())
          .put(sent.offset(), "v" + i);
    }

    // The broker has each value at the offset the flow reported.
    Map<TopicPartition, Long> fromZero = new HashMap<>();
    sentAt.keySet().forEach(partition -> fromZero.put(partition, 0L));
    ConsumerSettings<String, String> consumerSettings =
        broker.consumerSettings(transport, new StringDeserializer(), new StringDeserializer());
    List<ConsumerRecord<String, String>> read = await(
        Consumer.plainSource(consumerSettings, Subscriptions.assignmentWithOffset(fromZero))
            .take(count - count / 10)
            .runWith(Sink.seq(), broker.system(transport)));
    for (ConsumerRecord<String, String> record : read) {
      assertEquals(sentAt.get(new TopicPartition(topic, record.partition())).get(record.offset()), record.value());
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aFailedSendFailsTheStream(Transport transport) throws Exception {
    String topic = "small-messages-" + transport;
    broker.admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1)
        .configs(Map.of("max.message.bytes", "1024")))).all().get();
    ExecutionException failure = assertThrows(ExecutionException.class, () -> await(
        Source.from(List.of("small", "x".repeat(4096), "never sent"))
            .map(value -> new ProducerRecord<String, String>(topic, value))
            // One send at a time: kafka-clients splits a too-large batch of several records by
            // batch.size, which the topic's small max.message.bytes never satisfies.
            .runWith(Producer.sink(producerSettings(transport).withParallelism(1)), broker.system(transport))));
    assertInstanceOf(RecordTooLargeException.class, failure.getCause());
  }
}
