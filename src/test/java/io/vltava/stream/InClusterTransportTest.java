package io.vltava.stream;

import static io.vltava.stream.StreamTestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vltava.stream.StreamTestBroker.Transport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.Done;
import org.awaitility.Awaitility;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What only the in-cluster transport does: its own partitioner, group commits without membership. */
class InClusterTransportTest {
  @RegisterExtension static final StreamTestBroker broker = new StreamTestBroker();

  @Test
  void keyedRecordsLandInThePartitionsKafkaClientsChooses() throws Exception {
    String topic = "keyed";
    broker.createTopic(topic, 5);
    List<String> keys = IntStream.range(0, 50).mapToObj(i -> "customer-" + i).toList();
    assertEquals(partitionsOf(Transport.REMOTE, topic, keys), partitionsOf(Transport.IN_CLUSTER, topic, keys));
  }

  private static List<Integer> partitionsOf(Transport transport, String topic, List<String> keys) throws Exception {
    List<ProducerMessage.Results<String, String, String>> results = await(Source.from(keys)
        .map(key -> ProducerMessage.<String, String, String>single(new ProducerRecord<>(topic, key, "v"), key))
        .via(Producer.flow(broker.producerSettings(transport, new StringSerializer(), new StringSerializer())))
        .runWith(Sink.seq(), broker.system(transport)));
    return results.stream().map(result -> ((ProducerMessage.Result<String, String, String>) result).partition()).toList();
  }

  @Test
  void committedOffsetsAreTheGroupsAndTheNextSourceResumesFromThem() throws Exception {
    String topic = "resumed";
    TopicPartition partition = new TopicPartition(topic, 0);
    broker.createTopic(topic, 1);
    ProducerSettings<String, String> producerSettings =
        broker.producerSettings(Transport.IN_CLUSTER, new StringSerializer(), new StringSerializer());
    await(Source.range(0, 59).map(i -> new ProducerRecord<String, String>(topic, "v" + i))
        .runWith(Producer.sink(producerSettings), broker.node.system()));
    ConsumerSettings<String, String> settings =
        broker.consumerSettings(Transport.IN_CLUSTER, new StringDeserializer(), new StringDeserializer())
            .withGroupId("in-cluster-group")
            .withProperty("auto.offset.reset", "earliest");

    // The first source starts from the earliest offset (nothing committed yet), processes all 60 and commits.
    Pair<Consumer.Control, CompletionStage<Done>> first = Consumer.committableSource(settings, Subscriptions.assignment(partition))
        .map(ConsumerMessage.CommittableMessage::committableOffset)
        .toMat(Committer.sink(CommitterSettings.create(broker.node.system()).withMaxBatch(25)), Keep.both())
        .run(broker.node.system());
    Awaitility.await().atMost(Duration.ofSeconds(30))
        .until(() -> first.first().metrics().emittedRecords() == 60);
    await(first.first().drainAndShutdown(first.second(), broker.node.system().executionContext()));
    // The offsets are the group's, as the Kafka protocol shows them.
    Map<TopicPartition, OffsetAndMetadata> committed = broker.admin.listConsumerGroupOffsets("in-cluster-group")
        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
    assertEquals(60, committed.get(partition).offset());

    await(Source.range(60, 99).map(i -> new ProducerRecord<String, String>(topic, "v" + i))
        .runWith(Producer.sink(producerSettings), broker.node.system()));
    List<String> rest = await(Consumer.plainSource(settings, Subscriptions.assignment(partition))
        .take(40)
        .map(ConsumerRecord::value)
        .runWith(Sink.seq(), broker.node.system()));
    assertEquals(IntStream.range(60, 100).mapToObj(i -> "v" + i).toList(), rest);
  }

  @Test
  void aTopicSubscriptionIsRefusedForThereIsNoGroupMembership() {
    ConsumerSettings<String, String> settings =
        broker.consumerSettings(Transport.IN_CLUSTER, new StringDeserializer(), new StringDeserializer()).withGroupId("g");
    assertThrows(IllegalArgumentException.class,
        () -> Consumer.plainSource(settings, Subscriptions.topics("keyed")).runWith(Sink.ignore(), broker.node.system()));
  }
}
