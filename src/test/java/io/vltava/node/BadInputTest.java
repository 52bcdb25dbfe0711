package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  private static boolean causes(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
