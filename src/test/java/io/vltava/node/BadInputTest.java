package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.kafka.KafkaSocket;
import java.nio.ByteBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.requests.ProduceResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets a clear error, loses nothing, and leaves the node serving everyone else. */
class BadInputTest {
  @TempDir static Path dataDir;
  static VltavaNode node;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(dataDir, Map.of("vltava.topics.auto.create.topics.enable", false));
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @Test
  void producingToAMissingTopicWithAutoCreateOffFails() {
    Properties props = TestNodes.producerProps(node.bootstrapServers());
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "3000");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> producer.send(new ProducerRecord<>("no-such-topic", new byte[] {1})).get());
      assertTrue(causes(e, UnknownTopicOrPartitionException.class), "caused by UnknownTopicOrPartition: " + e);
    }
  }

  @Test
  void aSocketSendingGarbageIsClosedAndTheNextClientIsServed() throws Exception {
    try (Admin admin = Admin.create(TestNodes.adminProps(node.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic("survivor", 1, (short) 1))).all().get();
      try (Socket garbage = new Socket(node.kafkaAddress().getAddress(), node.kafkaAddress().getPort())) {
        OutputStream out = garbage.getOutputStream();
        out.write(new byte[] {0, 0, 0, 12});
        out.write("not a kafka!".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        garbage.setSoTimeout(10_000);
        InputStream in = garbage.getInputStream();
        assertEquals(-1, in.read(), "the broker closes the connection");
      }
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(TestNodes.producerProps(node.bootstrapServers()))) {
        RecordMetadata metadata = producer.send(new ProducerRecord<>("survivor", new byte[] {42})).get();
        assertEquals(0, metadata.offset());
      }
    }
  }

  @Test
  void aBatchWithACorruptHeaderIsAnsweredCorruptMessage() throws Exception {
    try (Admin admin = Admin.create(TestNodes.adminProps(node.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic("corrupt-headers", 1, (short) 1))).all().get();
    }
    // Offsets within a v2 batch header: its length, and its attributes (compression in the low bits).
    int lengthField = 8;
    int attributes = 21;
    try (KafkaSocket socket = new KafkaSocket(node.kafkaAddress())) {
      ByteBuffer hugeLength = oneBatch();
      hugeLength.putInt(lengthField, Integer.MAX_VALUE);
      assertEquals(Errors.CORRUPT_MESSAGE, produceError(socket, "corrupt-headers", hugeLength, 1));
      ByteBuffer unknownCompression = oneBatch();
      unknownCompression.putShort(attributes, (short) 7);
      assertEquals(Errors.CORRUPT_MESSAGE, produceError(socket, "corrupt-headers", unknownCompression, 2));
    }
  }

  private static ByteBuffer oneBatch() {
    return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[] {1})).buffer();
  }

  private static Errors produceError(KafkaSocket socket, String topic, ByteBuffer batch, int correlationId)
      throws Exception {
    ProduceRequestData data = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5_000);
    data.topicData().add(new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(List.of(
        new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(MemoryRecords.readableRecords(batch)))));
    // Serialized directly: kafka-clients' request builder would refuse the corrupt batch.
    RequestHeader header = new RequestHeader(ApiKeys.PRODUCE, (short) 9, "bad-input", correlationId);
    socket.sendFrame(RequestUtils.serialize(header.data(), header.headerVersion(), data, (short) 9));
    ProduceResponse response = socket.receive(header);
    return Errors.forCode(
        response.data().responses().iterator().next().partitionResponses().get(0).errorCode());
  }

  private static boolean causes(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
