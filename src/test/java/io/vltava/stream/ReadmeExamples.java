package io.vltava.stream;

import io.vltava.node.VltavaNode;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/** The README's Pekko Streams examples, verbatim, so they keep compiling (ReadmeExamplesTest runs them). */
final class ReadmeExamples {
  private ReadmeExamples() {}

  // --- producer sink
  static CompletionStage<Done> produce(ActorSystem<?> system, String bootstrap) {
    ProducerSettings<String, String> settings =
        ProducerSettings.create(system, new StringSerializer(), new StringSerializer())
            .withBootstrapServers(bootstrap)
            .withProperty("linger.ms", "5");
    return Source.range(1, 100)
        .map(i -> new ProducerRecord<>("greetings", "key-" + i, "hello " + i))
        .runWith(Producer.sink(settings), system);
  }
  // ---

  // --- producer flow
  static CompletionStage<List<String>> produceWithPassThrough(ActorSystem<?> system, String bootstrap) {
    ProducerSettings<String, String> settings =
        ProducerSettings.create(system, new StringSerializer(), new StringSerializer())
            .withBootstrapServers(bootstrap);
    return Source.range(1, 10)
        .map(i -> ProducerMessage.single(new ProducerRecord<>("greetings", "key-" + i, "hi " + i), i))
        .via(Producer.flow(settings))
        .map(result -> {
          if (result instanceof ProducerMessage.Result<String, String, Integer> written) {
            return "element " + written.passThrough() + " at " + written.partition() + "/" + written.offset();
          }
          return "element " + result.passThrough() + " passed through";
        })
        .runWith(Sink.seq(), system);
  }
  // ---

  // --- plain source
  static Pair<Consumer.Control, CompletionStage<List<String>>> readFromStart(ActorSystem<?> system, String bootstrap) {
    ConsumerSettings<String, String> settings =
        ConsumerSettings.create(system, new StringDeserializer(), new StringDeserializer())
            .withBootstrapServers(bootstrap);
    return Consumer.plainSource(settings, Subscriptions.assignmentWithOffset(new TopicPartition("greetings", 0), 0L))
        .map(ConsumerRecord::value)
        .take(100)
        .toMat(Sink.seq(), Keep.both())
        .run(system);
    // Later, or on shutdown: control.drainAndShutdown(streamDone, system.executionContext())
  }
  // ---

  // --- at-least-once
  static Consumer.Control atLeastOnce(ActorSystem<?> system, String bootstrap) {
    ConsumerSettings<String, String> settings =
        ConsumerSettings.create(system, new StringDeserializer(), new StringDeserializer())
            .withBootstrapServers(bootstrap)
            .withGroupId("greeting-counter")
            .withProperty("auto.offset.reset", "earliest");
    Pair<Consumer.Control, CompletionStage<Done>> running =
        Consumer.committableSource(settings, Subscriptions.topics("greetings"))
            .mapAsync(4, message -> process(message.record()).thenApply(done -> message.committableOffset()))
            .toMat(Committer.sink(CommitterSettings.create(system).withMaxBatch(100)), Keep.both())
            .run(system);
    // Stop consuming, commit what was processed, leave the group:
    //   running.first().drainAndShutdown(running.second(), system.executionContext());
    return running.first();
  }

  static CompletionStage<Done> process(ConsumerRecord<String, String> record) {
    return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
  }
  // ---

  // --- in-cluster
  static CompletionStage<List<String>> inCluster(VltavaNode node) {
    ActorSystem<Void> system = node.system();   // the application runs on a Vltava node
    ProducerSettings<String, String> producerSettings =
        ProducerSettings.create(system, new StringSerializer(), new StringSerializer())
            .withTransport(InClusterProducerTransport.factory(system, node.metadata()));
    ConsumerSettings<String, String> consumerSettings =
        ConsumerSettings.create(system, new StringDeserializer(), new StringDeserializer())
            .withTransport(InClusterConsumerTransport.factory(system));
    return Source.range(1, 10)
        .map(i -> new ProducerRecord<>("greetings", "key-" + i, "in-cluster " + i))
        .runWith(Producer.sink(producerSettings), system)
        .thenCompose(written -> Consumer.plainSource(consumerSettings,
                Subscriptions.assignmentWithOffset(new TopicPartition("greetings", 0), 0L))
            .map(ConsumerRecord::value)
            .take(120)
            .runWith(Sink.seq(), system));
  }
  // ---
}
