package io.vltava.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vltava.clients.DriverProcess;
import java.nio.file.Path;
import java.util.Properties;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Runs the secure drivers of other clients (src/test/clients/{@literal *}/secure.*) against a node with
 * authorization on: each writes three records to its own topic, reads them back as group = topic,
 * and is refused a produce to a topic no ACL names.
 */
final class SecureDrivers {

  private SecureDrivers() {}

  /** Creates {@code topic} and lets {@code principal} write it and read it with the group of the same name. */
  static void grantOwnTopic(Admin admin, String principal, String topic) throws Exception {
    admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    admin.createAcls(List.of(
        allow(principal, AclOperation.WRITE, ResourceType.TOPIC, topic),
        allow(principal, AclOperation.READ, ResourceType.TOPIC, topic),
        allow(principal, AclOperation.READ, ResourceType.GROUP, topic))).all().get(30, TimeUnit.SECONDS);
  }

  static AclBinding allow(String principal, AclOperation operation, ResourceType type, String name) {
    return new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
        new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
  }

  /**
   * Runs {@code command} (output kept in {@code outputDir} under {@code name}); it must print one JSON
   * line: the three values {@code valuePrefix-0..2} it read back, and the topic-authorization error of
   * its refused produce.
   */
  static void assertReadsBackItsRecordsAndIsDenied(List<String> command, Path outputDir, String name, String valuePrefix)
      throws Exception {
    List<JsonNode> events = DriverProcess.run(command, outputDir, name, Duration.ofMinutes(2));
    assertEquals(1, events.size(), "one JSON line: " + events);
    List<String> consumed = new ArrayList<>();
    events.get(0).get("consumed").forEach(value -> consumed.add(value.asText()));
    assertEquals(List.of(valuePrefix + "-0", valuePrefix + "-1", valuePrefix + "-2"), consumed);
    assertEquals("TOPIC_AUTHORIZATION_FAILED", events.get(0).get("deniedProduce").asText());
  }

  /**
   * Produces to {@code topic} with {@code props} (bounded: for {@code span} or 10,000 records) and
   * checks that the producer re-authenticated at least {@code minReauthentications} times without a failure.
   */
  static void assertProducerReauthenticates(Properties props, String topic, Duration span, int minReauthentications)
      throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      long endNanos = System.nanoTime() + span.toNanos();
      int sent = 0;
      while (System.nanoTime() < endNanos && sent < 10_000) {
        producer.send(new ProducerRecord<>(topic, ("r" + sent++).getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
      }
      assertTrue(metric(producer, "successful-reauthentication-total") >= minReauthentications, "the producer re-authenticated");
      assertEquals(0, metric(producer, "failed-reauthentication-total"));
      assertEquals(0, metric(producer, "failed-authentication-total"));
    }
  }

  private static double metric(KafkaProducer<?, ?> producer, String name) {
    return producer.metrics().entrySet().stream()
        .filter(e -> e.getKey().name().equals(name) && e.getKey().group().equals("producer-metrics"))
        .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
  }

  /** The values of up to {@code count} records, polled for at most 30 s. */
  static List<String> poll(KafkaConsumer<byte[], byte[]> consumer, int count) {
    List<String> values = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (values.size() < count && System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
        values.add(new String(record.value(), StandardCharsets.UTF_8));
      }
    }
    return values;
  }
}
