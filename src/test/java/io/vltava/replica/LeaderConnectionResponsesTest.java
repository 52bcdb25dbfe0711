package io.vltava.replica;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.node.TestNodes;
import io.vltava.node.VltavaNode;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leader connection reads every response into one buffer it grows up to a bound, and a response
 * above the bound into a buffer of its own: fetches of every size in turn, on one connection, each
 * read back whole and in order.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LeaderConnectionResponsesTest {
  private static final TopicPartition EVENTS = new TopicPartition("events", 0);
  private static final int RECORDS = 60;
  private static final int VALUE_BYTES = 100 * 1024;
  private static final short FETCH_VERSION = 12;

  @TempDir static Path dataDir;
  private static VltavaNode node;

  @BeforeAll
  static void startAndFill() throws Exception {
    node = TestNodes.start(dataDir);
    try (Admin admin = Admin.create(TestNodes.adminProps(node.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(EVENTS.topic(), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(TestNodes.producerProps(node.bootstrapServers()))) {
      for (int i = 0; i < RECORDS; i++) {
        producer.send(new ProducerRecord<>(EVENTS.topic(), EVENTS.partition(), null, value(i)));
      }
      producer.flush();
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void responsesOfEverySizeAreReadWholeOneAfterAnother() throws Exception {
    InetSocketAddress address = node.kafkaAddress();
    try (LeaderConnection connection = new LeaderConnection(SocketFactory.getDefault(), address.getHostString(), address.getPort(),
        "replica-test", Optional.empty(), 10_000, 10_000)) {
      // Larger than the first buffer, then larger again, then above the bound, then small (the kept buffer again).
      assertFetches(connection, 0, 1, 1);
      assertFetches(connection, 1, 3 * 1024 * 1024, 3 * 1024 * 1024 / VALUE_BYTES - 1);
      assertFetches(connection, 5, 5 * 1024 * 1024, 5 * 1024 * 1024 / VALUE_BYTES - 1);
      assertFetches(connection, 40, 2 * VALUE_BYTES, 1);
      assertFetches(connection, 0, Integer.MAX_VALUE, RECORDS);
    }
  }

  /** Fetches from {@code offset} with {@code maxBytes}; expects at least {@code atLeast} records, each the value produced at its offset. */
  private static void assertFetches(LeaderConnection connection, long offset, int maxBytes, int atLeast) throws Exception {
    Map<TopicPartition, FetchRequest.PartitionData> wanted = new LinkedHashMap<>();
    wanted.put(EVENTS, new FetchRequest.PartitionData(Uuid.ZERO_UUID, offset, 0, maxBytes, Optional.empty()));
    FetchResponse response = connection.send(FetchRequest.Builder.forConsumer(FETCH_VERSION, 0, 1, wanted).setMaxBytes(Integer.MAX_VALUE),
        FETCH_VERSION);
    var data = response.responseData(Map.of(), FETCH_VERSION).get(EVENTS);
    assertEquals(Errors.NONE.code(), data.errorCode());
    Records records = FetchResponse.recordsOrFail(data);
    long expected = offset;
    for (org.apache.kafka.common.record.internal.Record record : records.records()) {
      assertEquals(expected, record.offset());
      assertArrayEquals(value((int) expected), Utils.toArray(record.value()), "value at offset " + expected);
      expected++;
    }
    assertTrue(expected - offset >= atLeast, "fetched " + (expected - offset) + " records from " + offset + " with " + maxBytes + " bytes");
  }

  private static byte[] value(int index) {
    byte[] value = new byte[VALUE_BYTES];
    Arrays.fill(value, (byte) index);
    value[0] = (byte) (index >> 8);
    return value;
  }
}
