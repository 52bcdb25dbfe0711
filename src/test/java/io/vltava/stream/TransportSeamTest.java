package io.vltava.stream;

import static io.vltava.stream.StreamTestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The stages against in-memory transports, as the in-cluster transport will plug in: the source
 * asks for one fetch at a time within the room left in its buffer, delivers a record larger than
 * the whole bound alone, and both stages close their transport once.
 */
class TransportSeamTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  static final ExecutorService transportThread = Executors.newSingleThreadExecutor();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
    transportThread.shutdown();
  }

  /** Serves {@code records} of one partition, honouring each FetchLimit, and checks how it is used. */
  static final class ListConsumerTransport implements ConsumerTransport<String, String> {
    final List<ConsumerRecord<String, String>> records;
    final AtomicInteger outstanding = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();
    final List<String> misuse = new java.util.concurrent.CopyOnWriteArrayList<>();
    int next;

    ListConsumerTransport(List<ConsumerRecord<String, String>> records) {
      this.records = records;
    }

    @Override
    public CompletionStage<Fetched<String, String>> fetch(FetchLimit limit) {
      if (outstanding.incrementAndGet() > 1) {
        misuse.add("two fetches outstanding");
      }
      return CompletableFuture.supplyAsync(() -> {
        List<ConsumerRecord<String, String>> taken = new ArrayList<>();
        long bytes = 0;
        while (next < records.size() && taken.size() < limit.maxRecords()) {
          long size = ConsumerTransport.sizeInBytes(records.get(next));
          if (bytes + size > limit.maxBytes() && !(taken.isEmpty() && limit.atLeastOne())) {
            break;
          }
          taken.add(records.get(next++));
          bytes += size;
        }
        outstanding.decrementAndGet();
        return new Fetched<>(taken, next < records.size() && taken.size() < records.size());
      }, transportThread);
    }

    @Override
    public CompletionStage<Done> commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }

    @Override
    public CompletionStage<Done> close(Duration timeout) {
      closes.incrementAndGet();
      return CompletableFuture.completedFuture(Done.getInstance());
    }
  }

  static ConsumerRecord<String, String> record(long offset, int valueBytes) {
    String value = "x".repeat(valueBytes);
    return new ConsumerRecord<>("t", 0, offset, 0L, TimestampType.CREATE_TIME, -1, valueBytes, null, value,
        new RecordHeaders(), Optional.empty());
  }

  @Test
  void theSourceFetchesWithinItsBoundAndDeliversAnOversizedRecordAlone() throws Exception {
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      records.add(record(i, i == 150 ? 5000 : 100)); // one record larger than the whole bound
    }
    ListConsumerTransport transport = new ListConsumerTransport(records);
    ConsumerTransport.Factory factory = new ConsumerTransport.Factory() {
      @Override
      @SuppressWarnings("unchecked")
      public <K, V> ConsumerTransport<K, V> open(ConsumerSettings<K, V> settings, Subscription subscription) {
        return (ConsumerTransport<K, V>) transport;
      }
    };
    ConsumerSettings<String, String> settings =
        ConsumerSettings.create(testKit.system(), new StringDeserializer(), new StringDeserializer())
            .withBufferBounds(1000, 1000)
            .withTransport(factory);
    var running = Consumer.plainSource(settings, Subscriptions.assignment(new TopicPartition("t", 0)))
        .take(300)
        .toMat(Sink.seq(), org.apache.pekko.stream.javadsl.Keep.both())
        .run(testKit.system());
    List<ConsumerRecord<String, String>> read = await(running.second());
    for (int i = 0; i < 300; i++) {
      assertEquals(i, read.get(i).offset());
    }
    await(running.first().isShutdown());
    assertEquals(List.of(), transport.misuse);
    assertEquals(1, transport.closes.get(), "closed once");
    assertEquals(5000, running.first().metrics().peakBufferedBytes(), "only the oversized record, alone, passed the bound");
  }

  @Test
  void theProducerSinkSendsInOrderAndClosesItsTransportOnce() throws Exception {
    List<ProducerRecord<String, String>> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicInteger closes = new AtomicInteger();
    ProducerTransport.Factory factory = new ProducerTransport.Factory() {
      @Override
      @SuppressWarnings("unchecked")
      public <K, V> ProducerTransport<K, V> open(ProducerSettings<K, V> settings) {
        return (ProducerTransport<K, V>) new ProducerTransport<String, String>() {
          @Override
          public CompletionStage<RecordMetadata> send(ProducerRecord<String, String> record) {
            sent.add(record);
            long offset = sent.size() - 1;
            return CompletableFuture.supplyAsync(
                () -> new RecordMetadata(new TopicPartition(record.topic(), 0), offset, 0, 0L, 0, 0), transportThread);
          }

          @Override
          public void close(Duration timeout) {
            closes.incrementAndGet();
          }
        };
      }
    };
    ProducerSettings<String, String> settings =
        ProducerSettings.create(testKit.system(), new StringSerializer(), new StringSerializer()).withTransport(factory);
    await(Source.range(0, 999).map(i -> new ProducerRecord<String, String>("t", "v" + i))
        .runWith(Producer.sink(settings), testKit.system()));
    assertEquals(1000, sent.size());
    for (int i = 0; i < 1000; i++) {
      assertEquals("v" + i, sent.get(i).value());
    }
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> closes.get() == 1);
    assertTrue(closes.get() == 1);
  }

  @Test
  void recordsOfRevokedPartitionsStillBufferedAreNotEmitted() throws Exception {
    TopicPartition p1 = new TopicPartition("t", 1);
    List<ConsumerRecord<String, String>> first = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      first.add(new ConsumerRecord<>("t", 0, i, null, "p0-" + i));
    }
    for (int i = 0; i < 10; i++) {
      first.add(new ConsumerRecord<>("t", 1, i, null, "p1-" + i));
    }
    List<ConsumerRecord<String, String>> afterRebalance = new ArrayList<>();
    for (int i = 10; i < 15; i++) {
      afterRebalance.add(new ConsumerRecord<>("t", 0, i, null, "p0-" + i));
    }
    List<CompletableFuture<ConsumerTransport.Fetched<String, String>>> fetches =
        new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicInteger closes = new AtomicInteger();
    ConsumerTransport<String, String> scripted = new ConsumerTransport<>() {
      @Override
      public CompletionStage<Fetched<String, String>> fetch(FetchLimit limit) {
        CompletableFuture<Fetched<String, String>> result = new CompletableFuture<>();
        fetches.add(result);
        return result;
      }

      @Override
      public CompletionStage<Done> commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        return CompletableFuture.completedFuture(Done.getInstance());
      }

      @Override
      public CompletionStage<Done> close(Duration timeout) {
        closes.incrementAndGet();
        return CompletableFuture.completedFuture(Done.getInstance());
      }
    };
    ConsumerTransport.Factory factory = new ConsumerTransport.Factory() {
      @Override
      @SuppressWarnings("unchecked")
      public <K, V> ConsumerTransport<K, V> open(ConsumerSettings<K, V> settings, Subscription subscription) {
        return (ConsumerTransport<K, V>) scripted;
      }
    };
    ConsumerSettings<String, String> settings =
        ConsumerSettings.create(testKit.system(), new StringDeserializer(), new StringDeserializer())
            .withGroupId("g")
            .withTransport(factory);
    var running = Consumer.plainSource(settings, Subscriptions.topics("t"))
        .toMat(Sink.<ConsumerRecord<String, String>>queue().withAttributes(Attributes.inputBuffer(1, 1)),
            org.apache.pekko.stream.javadsl.Keep.both())
        .run(testKit.system());
    Consumer.Control control = running.first();

    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> fetches.size() == 1);
    fetches.get(0).complete(new ConsumerTransport.Fetched<>(first, false));
    // Downstream took one record; the source holds the other 19 and asks for more.
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
        fetches.size() == 2 && control.metrics().emittedRecords() == 1 && control.metrics().bufferedRecords() == 19);
    // A rebalance took partition 1 away before the next records arrived.
    fetches.get(1).complete(new ConsumerTransport.Fetched<>(afterRebalance, false, java.util.Set.of(p1)));

    List<String> pulled = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      pulled.add(await(running.second().pull()).orElseThrow().value());
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      expected.add("p0-" + i);
    }
    assertEquals(expected, pulled, "partition 1's held records were dropped, partition 0's kept in order");
    assertEquals(0, control.metrics().bufferedRecords());
    assertEquals(0, control.metrics().bufferedBytes());
    running.second().cancel();
    await(control.isShutdown());
    assertEquals(1, closes.get());
  }
}
