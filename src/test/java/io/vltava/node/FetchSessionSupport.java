package io.vltava.node;

import io.vltava.kafka.KafkaSocket;
import io.vltava.testkit.FetchedValues;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;

/** Raw Fetch requests against one node, built with kafka-clients' FetchRequest.Builder at a chosen version. */
final class FetchSessionSupport implements AutoCloseable {
  final VltavaNode node;
  final Admin admin;
  final KafkaProducer<byte[], byte[]> producer;
  private final AtomicInteger correlationIds = new AtomicInteger();

  FetchSessionSupport(VltavaNode node) {
    this.node = node;
    this.admin = Admin.create(TestNodes.adminProps(node.bootstrapServers()));
    this.producer = new KafkaProducer<>(TestNodes.producerProps(node.bootstrapServers()));
  }

  /** Fetch v7 brought sessions; every advertised version from there on. */
  static IntStream sessionVersions() {
    return IntStream.rangeClosed(7, ApiKeys.FETCH.latestVersion());
  }

  Topic createTopic(String name, int partitions) throws Exception {
    admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
    return new Topic(name, admin.describeTopics(List.of(name)).allTopicNames().get().get(name).topicId());
  }

  void produce(TopicPartition partition, String... values) throws Exception {
    for (String value : values) {
      producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), null, value.getBytes(StandardCharsets.UTF_8))).get();
    }
  }

  FetchResponse fetch(KafkaSocket socket, short version, FetchMetadata metadata,
      Map<TopicPartition, FetchRequest.PartitionData> partitions, List<TopicIdPartition> forgotten, int maxWaitMs)
      throws Exception {
    FetchRequest.Builder builder = FetchRequest.Builder
        .forConsumer(version, maxWaitMs, 1, new LinkedHashMap<>(partitions))
        .metadata(metadata)
        .removed(forgotten)
        .replaced(List.of());
    return socket.roundTrip(builder, version, correlationIds.incrementAndGet());
  }

  @Override
  public void close() throws Exception {
    producer.close();
    admin.close();
    node.close();
  }

  /** A topic made for one test, with what requests and responses need to name it. */
  record Topic(String name, Uuid id) {
    TopicPartition partition(int partition) {
      return new TopicPartition(name, partition);
    }

    FetchRequest.PartitionData at(int partition, long offset) {
      return new FetchRequest.PartitionData(id, offset, FetchRequest.INVALID_LOG_START_OFFSET, 1 << 20, Optional.empty());
    }

    /** The record values of each partition the response carries, each of which must carry no error. */
    Map<TopicPartition, List<String>> values(FetchResponse response, short version) {
      return FetchedValues.byPartition(response, id, name, version);
    }
  }
}
