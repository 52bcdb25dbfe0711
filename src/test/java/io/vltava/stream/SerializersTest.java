package io.vltava.stream;

import org.junit.jupiter.api.extension.RegisterExtension;
import static io.vltava.stream.StreamTestBroker.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vltava.stream.StreamTestBroker.Transport;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.IntegerDeserializer;
import org.apache.kafka.common.serialization.IntegerSerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Keys and values go through the user's serializers; timestamps and headers round-trip. */
class SerializersTest {
  @RegisterExtension static final StreamTestBroker broker = new StreamTestBroker();

  @ParameterizedTest
  @EnumSource(Transport.class)
  void stringKeysAndIntegerValuesRoundTripWithHeadersAndTimestamps(Transport transport) throws Exception {
    String topic = "typed-" + transport;
    broker.createTopic(topic, 1);
    long baseTimestamp = 1_700_000_000_000L;
    List<ProducerRecord<String, Integer>> sent = new java.util.ArrayList<>();
    for (int i = 0; i < 100; i++) {
      RecordHeaders headers = new RecordHeaders();
      headers.add("index", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
      headers.add("empty", null);
      String key = i % 7 == 0 ? null : "ключ-" + i; // null keys and non-ASCII keys
      Integer value = i % 11 == 0 ? null : i * -1000;
      sent.add(new ProducerRecord<>(topic, 0, baseTimestamp + 1000L * i, key, value, headers));
    }
    ProducerSettings<String, Integer> producerSettings =
        broker.producerSettings(transport, new StringSerializer(), new IntegerSerializer());
    await(Source.from(sent).runWith(Producer.sink(producerSettings), broker.system(transport)));

    ConsumerSettings<String, Integer> consumerSettings =
        broker.consumerSettings(transport, new StringDeserializer(), new IntegerDeserializer());
    List<ConsumerRecord<String, Integer>> read = await(Consumer.plainSource(consumerSettings,
            Subscriptions.assignmentWithOffset(new TopicPartition(topic, 0), 0))
        .take(sent.size())
        .runWith(Sink.seq(), broker.system(transport)));

    for (int i = 0; i < sent.size(); i++) {
      ProducerRecord<String, Integer> want = sent.get(i);
      ConsumerRecord<String, Integer> got = read.get(i);
      assertEquals(i, got.offset());
      assertEquals(want.key(), got.key());
      assertEquals(want.value(), got.value());
      assertEquals(want.timestamp(), got.timestamp());
      assertArrayEquals(want.headers().lastHeader("index").value(), got.headers().lastHeader("index").value());
      assertNull(got.headers().lastHeader("empty").value());
      assertEquals(2, got.headers().toArray().length);
    }
  }
}
