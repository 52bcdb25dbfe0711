package io.vltava.stream;

import org.junit.jupiter.api.extension.RegisterExtension;
import static io.vltava.stream.StreamTestBroker.await;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.stream.StreamTestBroker.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A stalled downstream stops fetching; the source's buffer stays within its byte bound. */
class BackpressureTest {
  @RegisterExtension static final StreamTestBroker broker = new StreamTestBroker();

  static final int RECORD_BYTES = 1000;

  static byte[] value(int index) {
    byte[] value = new byte[RECORD_BYTES];
    Arrays.fill(value, (byte) '.');
    byte[] digits = String.format("%010d", index).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(digits, 0, value, 0, digits.length);
    return value;
  }

  static int index(ConsumerRecord<byte[], byte[]> record) {
    return Integer.parseInt(new String(record.value(), 0, 10, StandardCharsets.US_ASCII));
  }

  /**
   * With the default fetch sizes (half the buffer bound) polls fit; with a large fetch.max.bytes
   * every poll brings more than fits, and the transport seeks back to what it left out.
   */
  @ParameterizedTest
  @CsvSource({"REMOTE, default, 4000", "REMOTE, 1048576, 150", "IN_CLUSTER, default, 4000"})
  void aStalledDownstreamKeepsBufferedBytesUnderTheBoundAndLosesNothing(Transport transport, String fetchMaxBytes, int count)
      throws Exception {
    String topic = "slow-" + transport + "-" + fetchMaxBytes;
    int partitions = 2;
    broker.createTopic(topic, partitions);
    ProducerSettings<byte[], byte[]> producerSettings =
        broker.producerSettings(transport, new ByteArraySerializer(), new ByteArraySerializer());
    await(Source.range(0, count - 1)
        .map(i -> new ProducerRecord<byte[], byte[]>(topic, i % partitions, null, value(i)))
        .runWith(Producer.sink(producerSettings), broker.system(transport)));

    long boundBytes = 20 * RECORD_BYTES + RECORD_BYTES / 2; // room for 20 records, not 21
    ConsumerSettings<byte[], byte[]> consumerSettings =
        broker.consumerSettings(transport, new ByteArrayDeserializer(), new ByteArrayDeserializer())
            .withBufferBounds(1000, boundBytes)
            .withProperty("max.poll.records", "500");
    if (!fetchMaxBytes.equals("default")) {
      consumerSettings = consumerSettings.withProperty("fetch.max.bytes", fetchMaxBytes)
          .withProperty("max.partition.fetch.bytes", fetchMaxBytes);
    }
    Pair<Consumer.Control, SinkQueueWithCancel<ConsumerRecord<byte[], byte[]>>> running = Consumer.plainSource(
            consumerSettings, Subscriptions.assignmentWithOffset(
                java.util.Map.of(new TopicPartition(topic, 0), 0L, new TopicPartition(topic, 1), 0L)))
        .toMat(Sink.queue(1), Keep.both())
        .run(broker.system(transport));
    Consumer.Control control = running.first();
    SinkQueueWithCancel<ConsumerRecord<byte[], byte[]>> downstream = running.second();

    int[] nextPerPartition = new int[partitions];
    int pulled = 0;
    for (; pulled < 10; pulled++) {
      checkOrder(await(downstream.pull()).orElseThrow(), nextPerPartition, partitions);
    }
    // Downstream now stalls (Sink.queue still takes what fits its own small buffer). The source
    // fetches until its buffer has no room, then waits for demand: no fetch outstanding, records
    // held, and nothing changes any more.
    AtomicReference<Consumer.Metrics> previous = new AtomicReference<>();
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(30)).until(() -> {
      Consumer.Metrics m = control.metrics();
      return m.equals(previous.getAndSet(m)) && !m.fetching() && m.bufferedRecords() > 0;
    });
    Consumer.Metrics stalled = control.metrics();
    assertTrue(stalled.bufferedBytes() <= boundBytes, "buffered " + stalled);
    assertTrue(stalled.bufferedBytes() > boundBytes / 2 - RECORD_BYTES, "the buffer refilled: " + stalled);
    assertTrue(stalled.peakBufferedBytes() <= boundBytes, "peak " + stalled.peakBufferedBytes() + " > bound " + boundBytes);
    assertTrue(stalled.emittedRecords() < 100, "emitted only what downstream asked for: " + stalled);

    // Downstream resumes: every record arrives, in order per partition, none lost to the bound.
    for (; pulled < count; pulled++) {
      Optional<ConsumerRecord<byte[], byte[]>> next = await(downstream.pull());
      checkOrder(next.orElseThrow(), nextPerPartition, partitions);
    }
    assertTrue(control.metrics().peakBufferedBytes() <= boundBytes, "peak " + control.metrics());
    downstream.cancel();
    await(control.isShutdown());
  }

  private static void checkOrder(ConsumerRecord<byte[], byte[]> record, int[] nextPerPartition, int partitions) {
    int p = record.partition();
    assertEquals(nextPerPartition[p], record.offset(), "offset in partition " + p);
    assertEquals(nextPerPartition[p] * partitions + p, index(record), "value at offset " + record.offset());
    nextPerPartition[p]++;
  }
}
