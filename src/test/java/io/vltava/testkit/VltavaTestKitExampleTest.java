package io.vltava.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vltava.stream.Consumer;
import io.vltava.stream.ConsumerSettings;
import io.vltava.stream.Producer;
import io.vltava.stream.ProducerSettings;
import io.vltava.stream.Subscriptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The README's VltavaTestKit example, verbatim between the markers. */
// --- testkit example
class VltavaTestKitExampleTest {
  static VltavaTestKit kit;

  @BeforeAll
  static void startCluster() throws Exception {
    kit = VltavaTestKit.start(3);                 // 3 nodes in this JVM, data in a temp dir
  }

  @AfterAll
  static void stopCluster() throws Exception {
    kit.close();                                  // stops every node, deletes the data
  }

  @Test
  void readsBackWhatWasWrittenWhileANodeIsDown() throws Exception {
    kit.createTopic("orders", 1, 1);              // waits for a leader and a full ISR
    ActorSystem<Void> system = kit.clientSystem();
    ProducerSettings<String, String> producer =
        ProducerSettings.create(system, new StringSerializer(), new StringSerializer())
            .withBootstrapServers(kit.bootstrapServers());
    Source.range(1, 100)
        .map(i -> new ProducerRecord<>("orders", "order-" + i, "item " + i))
        .runWith(Producer.sink(producer), system)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);

    TopicPartition partition = new TopicPartition("orders", 0);
    int bystander = kit.leaderOf(partition) % 3 + 1;   // a node that does not lead "orders"
    kit.crash(bystander);

    ConsumerSettings<String, String> consumer =
        ConsumerSettings.create(system, new StringDeserializer(), new StringDeserializer())
            .withBootstrapServers(kit.bootstrapServers());
    List<String> values = Consumer.plainSource(consumer, Subscriptions.assignmentWithOffset(partition, 0L))
        .map(ConsumerRecord::value)
        .take(100)
        .runWith(Sink.seq(), system)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals("item 1", values.get(0));
    assertEquals("item 100", values.get(99));
  }
}
// ---
