package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar, started as users start it: its merged configuration must give a working
 * cluster node (an integration test, run by failsafe after `package`).
 */
class FatJarIT {
  @TempDir Path dataDir;

  @Test
  void theJarStartsANodeThatServesKafkaClientsAndStopsWithExitZero() throws Exception {
    try (BrokerProcess broker = BrokerProcess.startJar(Path.of("target", "vltava.jar"), dataDir)) {
      try (Admin admin = Admin.create(TestNodes.adminProps(broker.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic("from-the-jar", 2, (short) 1))).all().get();
        assertEquals(2, admin.describeTopics(List.of("from-the-jar")).allTopicNames().get().get("from-the-jar").partitions().size());
      }
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(TestNodes.producerProps(broker.bootstrapServers()))) {
        assertEquals(0, producer.send(new ProducerRecord<>("from-the-jar", 1, null, new byte[] {7})).get().offset());
      }
      assertEquals(0, broker.terminate(Duration.ofSeconds(60)));
    }
  }
}
