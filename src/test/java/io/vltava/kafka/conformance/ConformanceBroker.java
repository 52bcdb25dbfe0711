package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vltava.kafka.KafkaSocket;
import io.vltava.metadata.TopicIds;
import io.vltava.node.TestNodes;
import io.vltava.node.VltavaNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.awaitility.Awaitility;

/**
 * A running node as the conformance cases see it: raw requests at an exact version over one TCP
 * connection, plus a real Admin and producer to set up topics and records. Every request and
 * response goes through kafka-clients' generated (de)serializers at the version asked, so a field
 * a version cannot hold fails on whichever side set it. Not thread-safe.
 */
final class ConformanceBroker implements AutoCloseable {

  private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(30);
  private static final AtomicInteger topicNumbers = new AtomicInteger();

  private static final List<String> expectedClosures = new java.util.concurrent.CopyOnWriteArrayList<>();

  private final VltavaNode node;
  private final Admin admin;
  private final KafkaProducer<byte[], byte[]> producer;
  private KafkaSocket socket;
  private int correlationId;

  ConformanceBroker(VltavaNode node) throws IOException {
    this.node = node;
    this.admin = Admin.create(TestNodes.adminProps(node.bootstrapServers()));
    Properties producerProps = TestNodes.producerProps(node.bootstrapServers());
    this.producer = new KafkaProducer<>(producerProps);
    this.socket = new KafkaSocket(node.kafkaAddress());
  }

  /** The reasons of the connection closes that cases asked for. */
  static List<String> expectedClosures() {
    return expectedClosures;
  }

  VltavaNode node() {
    return node;
  }

  int nodeId() {
    return node.settings().nodeId();
  }

  Admin admin() {
    return admin;
  }

  /**
   * Sends {@code request} at {@code version} (request header version as a client of that version
   * uses) and parses the response at that version; fails if the node closes the connection.
   */
  @SuppressWarnings("unchecked")
  <T extends AbstractResponse> T send(ApiMessage request, short version) throws IOException {
    ApiKeys key = ApiKeys.forId(request.apiKey());
    RequestHeader header = new RequestHeader(key, version, "conformance", ++correlationId);
    socket.sendFrame(RequestUtils.serialize(header.data(), header.headerVersion(), request, version));
    return (T) socket.receive(header);
  }

  /**
   * Sends a request the node must refuse by closing the connection, as Kafka does, and checks it
   * did; {@code reason} is part of the message the listener logs for it.
   */
  void sendExpectingClose(ApiMessage request, short version, String reason) throws IOException {
    expectedClosures.add(reason);
    ApiKeys key = ApiKeys.forId(request.apiKey());
    RequestHeader header = new RequestHeader(key, version, "conformance", ++correlationId);
    socket.sendFrame(RequestUtils.serialize(header.data(), header.headerVersion(), request, version));
    if (!socket.closedByPeer()) {
      throw new AssertionError(key + " v" + version + " was answered; expected the connection to close");
    }
    socket.close();
    socket = new KafkaSocket(node.kafkaAddress());
  }

  /** Checks the connection still answers: valid requests never close it. */
  void assertConnectionOpen() throws IOException {
    ApiVersionsResponse response = send(new ApiVersionsRequestData()
        .setClientSoftwareName("conformance").setClientSoftwareVersion("1.0"), (short) 3);
    assertEquals(Errors.NONE.code(), response.data().errorCode());
  }

  /** A new topic with a unique name and a leader for every partition, as the node's cache sees it. */
  String createTopic(String prefix, int partitions) throws Exception {
    return createTopic(prefix, partitions, Map.of());
  }

  String createTopic(String prefix, int partitions, Map<String, String> configs) throws Exception {
    String name = prefix + "-" + topicNumbers.incrementAndGet();
    admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
        .all().get(SETUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    Awaitility.await().atMost(SETUP_TIMEOUT).until(() -> node.metadata().current().topic(name)
        .map(topic -> topic.partitions().stream().allMatch(p -> p.hasLeader())).orElse(false));
    return name;
  }

  Uuid topicId(String topic) {
    return node.metadata().current().topic(topic).map(t -> TopicIds.toKafka(t.topicId()))
        .orElseThrow(() -> new AssertionError("no topic " + topic));
  }

  /**
   * Appends {@code count} records to one partition with keys {@code key-i}, values
   * {@code value-i} and timestamps {@code firstTimestampMs + i}; returns their offsets.
   */
  List<Long> produce(String topic, int partition, int count, long firstTimestampMs) throws Exception {
    List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      sent.add(producer.send(new ProducerRecord<>(topic, partition, firstTimestampMs + i,
          ("key-" + i).getBytes(StandardCharsets.UTF_8), ("value-" + i).getBytes(StandardCharsets.UTF_8))));
    }
    List<Long> offsets = new ArrayList<>();
    for (var future : sent) {
      offsets.add(future.get(SETUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS).offset());
    }
    return offsets;
  }

  @Override
  public void close() throws IOException {
    producer.close(Duration.ofSeconds(5));
    admin.close(Duration.ofSeconds(5));
    socket.close();
  }
}
