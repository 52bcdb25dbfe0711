package io.vltava.stream;

import static io.vltava.stream.StreamTestBroker.await;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.stream.StreamTestBroker.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidGroupIdException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** Consumer.Control: stop, shutdown, drainAndShutdown, and closing the consumer however the stream ends. */
class ControlTest {
  @TempDir static Path dataDir;
  static StreamTestBroker broker;
  static final int RECORDS = 50;

  @BeforeAll
  static void start() throws Exception {
    broker = new StreamTestBroker(dataDir);
    broker.createTopic("control", 1);
    broker.createTopic("empty", 1);
    ProducerSettings<String, String> producerSettings =
        ProducerSettings.create(broker.testKit.system(), new StringSerializer(), new StringSerializer())
            .withBootstrapServers(broker.bootstrap());
    await(Source.range(0, RECORDS - 1)
        .map(i -> new ProducerRecord<String, String>("control", "k" + i, "v" + i))
        .runWith(Producer.sink(producerSettings), broker.testKit.system()));
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  static ConsumerSettings<String, String> consumerSettings(Transport transport) {
    return broker.consumerSettings(transport, new StringDeserializer(), new StringDeserializer());
  }

  static Subscription fromStart(String topic) {
    return Subscriptions.assignmentWithOffset(new TopicPartition(topic, 0), 0);
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void stopCompletesTheStreamAndShutdownThenClosesTheConsumer(Transport transport) throws Exception {
    Pair<Consumer.Control, java.util.concurrent.CompletionStage<List<ConsumerRecord<String, String>>>> running =
        Consumer.plainSource(consumerSettings(transport), fromStart("control"))
            .toMat(Sink.seq(), Keep.both())
            .run(broker.system(transport));
    Consumer.Control control = running.first();
    await().atMost(Duration.ofSeconds(30)).until(() -> control.metrics().emittedRecords() == RECORDS);

    await(control.stop());
    List<ConsumerRecord<String, String>> records = await(running.second());
    assertEquals(RECORDS, records.size(), "the stream completed after stop, with everything emitted");
    assertEquals("v49", records.get(RECORDS - 1).value());
    assertFalse(control.isShutdown().toCompletableFuture().isDone(), "stop alone keeps the consumer open");

    await(control.shutdown());
    assertTrue(control.isShutdown().toCompletableFuture().isDone());
    await(control.shutdown()); // idempotent
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void shutdownEndsAStreamWaitingForRecords(Transport transport) throws Exception {
    Pair<Consumer.Control, java.util.concurrent.CompletionStage<List<ConsumerRecord<String, String>>>> running =
        Consumer.plainSource(consumerSettings(transport), fromStart("empty"))
            .toMat(Sink.seq(), Keep.both())
            .run(broker.system(transport));
    await(running.first().shutdown());
    assertEquals(List.of(), await(running.second()));
    assertTrue(running.first().isShutdown().toCompletableFuture().isDone());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void cancellingDownstreamClosesTheConsumer(Transport transport) throws Exception {
    Pair<Consumer.Control, java.util.concurrent.CompletionStage<List<ConsumerRecord<String, String>>>> running =
        Consumer.plainSource(consumerSettings(transport), fromStart("control"))
            .take(5)
            .toMat(Sink.seq(), Keep.both())
            .run(broker.system(transport));
    assertEquals(List.of("v0", "v1", "v2", "v3", "v4"),
        await(running.second()).stream().map(ConsumerRecord::value).toList());
    await(running.first().isShutdown());
  }

  @Test
  void aFailingRemoteConsumerFailsTheStreamAndIsClosed() throws Exception {
    // Subscribing to topics needs a group id; kafka-clients refuses, and the source fails with it.
    Pair<Consumer.Control, java.util.concurrent.CompletionStage<List<ConsumerRecord<String, String>>>> running =
        Consumer.plainSource(consumerSettings(Transport.REMOTE), Subscriptions.topics("control"))
            .toMat(Sink.seq(), Keep.both())
            .run(broker.testKit.system());
    ExecutionException failure = assertThrows(ExecutionException.class, () -> await(running.second()));
    assertInstanceOf(InvalidGroupIdException.class, failure.getCause());
    await(running.first().isShutdown());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void committableSourceCarriesOffsetsAndDrainAndShutdownReturnsTheStreamResult(Transport transport) throws Exception {
    // Explicit partitions from explicit offsets: no group coordinator is involved until a commit.
    Pair<Consumer.Control, java.util.concurrent.CompletionStage<List<ConsumerMessage.CommittableOffset>>> running =
        Consumer.committableSource(consumerSettings(transport).withGroupId("control-group"), fromStart("control"))
            .map(message -> {
              ConsumerMessage.CommittableOffset offset = message.committableOffset();
              assertEquals(message.record().offset(), offset.offset());
              assertEquals(new TopicPartition("control", message.record().partition()), offset.partition());
              return offset;
            })
            .toMat(Sink.seq(), Keep.both())
            .run(broker.system(transport));
    Consumer.Control control = running.first();
    await().atMost(Duration.ofSeconds(30)).until(() -> control.metrics().emittedRecords() == RECORDS);

    List<ConsumerMessage.CommittableOffset> offsets =
        await(control.drainAndShutdown(running.second(), broker.system(transport).executionContext()));
    assertEquals(RECORDS, offsets.size());
    assertEquals("control-group", offsets.get(0).groupId());
    assertEquals(49, offsets.get(RECORDS - 1).offset());
    assertTrue(control.isShutdown().toCompletableFuture().isDone());

    ExecutionException closed = assertThrows(ExecutionException.class, () -> await(offsets.get(0).commit()));
    assertInstanceOf(IllegalStateException.class, closed.getCause(), "commits go nowhere once the consumer is closed");
  }

  @Test
  void committableSourceWithoutAGroupIdIsRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> Consumer.committableSource(consumerSettings(Transport.REMOTE), fromStart("control")));
  }
}
