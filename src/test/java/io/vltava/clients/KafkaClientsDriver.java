package io.vltava.clients;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.AppInfoParser;

/**
 * The client-matrix scenario (see {@link ClientMatrixTest}) for kafka-clients, run in a child JVM
 * with whichever kafka-clients jar is on its classpath. It uses only API that kafka-clients 2.8,
 * 3.9 and 4.3 share (not {@code DescribeTopicsResult.all/allTopicNames}, which differ between
 * them: the topic is described with {@code partitionsFor} and {@code describeConfigs}), so the same
 * bytecode runs on every line. Results go to stdout as JSON lines, diagnostics to stderr;
 * any failure exits non-zero.
 */
public final class KafkaClientsDriver {
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration POLL = Duration.ofMillis(100);

  private final String bootstrap;
  private final MatrixPlan plan;

  private KafkaClientsDriver(String bootstrap, MatrixPlan plan) {
    this.bootstrap = bootstrap;
    this.plan = plan;
  }

  /** {@code produce-and-group|resume|read-compacted BOOTSTRAP TOPIC GROUP BASE_TIMESTAMP_MS CODEC,CODEC,...} */
  public static void main(String[] args) throws Exception {
    MatrixPlan plan = MatrixPlan.fromArgs(args, 2);
    KafkaClientsDriver driver = new KafkaClientsDriver(args[1], plan);
    MatrixPlan.emit("event", "client", "name", "kafka-clients", "version", AppInfoParser.getVersion());
    switch (args[0]) {
      case "produce-and-group" -> driver.produceAndGroup();
      case "resume" -> driver.resume();
      case "read-compacted" -> driver.readCompacted();
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
    MatrixPlan.emit("event", "done");
    // Child JVM: exit explicitly, client threads of closed clients may linger a moment.
    System.exit(0);
  }

  /** First process: create the topic, form a two-member group, produce, consume, commit, produce more. */
  private void produceAndGroup() throws Exception {
    try (Admin admin = Admin.create(clientProps("admin"))) {
      admin.createTopics(List.of(new NewTopic(plan.topic(), MatrixPlan.PARTITIONS, (short) 1)
          .configs(Map.of(MatrixPlan.DESCRIBED_CONFIG, MatrixPlan.DESCRIBED_CONFIG_VALUE)))).all().get();
      MatrixPlan.emit("event", "created", "topic", plan.topic());
    }
    try (KafkaConsumer<String, String> first = groupMember("member-a"); KafkaConsumer<String, String> second = groupMember("member-b")) {
      first.subscribe(List.of(plan.topic()));
      second.subscribe(List.of(plan.topic()));
      awaitSharedAssignment(first, second);
      for (String codec : plan.codecs()) {
        produce(codec, 1);
      }
      long expected = (long) plan.codecs().size() * MatrixPlan.RECORDS_PER_CODEC;
      long consumed = 0;
      long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
      while (consumed < expected) {
        check(System.nanoTime() < deadline, "group read " + consumed + " of " + expected + " records");
        consumed += emitRecords(first.poll(POLL), "group", "member-a");
        consumed += emitRecords(second.poll(POLL), "group", "member-b");
      }
      emitAssignment("member-a", first);
      emitAssignment("member-b", second);
      first.commitSync();
      second.commitSync();
      emitCommitted(first);
      emitCommitted(second);
    }
    produce("none", 2);
  }

  /** Second process: resume the group, then read from the beginning and from a timestamp, describe, delete. */
  private void resume() throws Exception {
    try (KafkaConsumer<String, String> member = groupMember("member-resumed")) {
      member.subscribe(List.of(plan.topic()));
      readToEnd(member, "resume", "member-resumed");
    }
    try (KafkaConsumer<String, String> reader = standalone()) {
      List<TopicPartition> partitions = readFromBeginning(reader, "beginning");

      Map<TopicPartition, Long> query = partitions.stream()
          .collect(Collectors.toMap(p -> p, p -> plan.timestampTarget()));
      Map<TopicPartition, OffsetAndTimestamp> found = reader.offsetsForTimes(query, STEP_TIMEOUT);
      for (TopicPartition partition : partitions) {
        OffsetAndTimestamp hit = found.get(partition);
        long offset = hit == null ? -1 : hit.offset();
        MatrixPlan.emit("event", "offsetForTime", "partition", partition.partition(), "offset", offset);
        if (hit != null) {
          reader.seek(partition, offset);
        } else {
          reader.seekToEnd(List.of(partition));
        }
      }
      readToEnd(reader, "fromTime", "");
    }
    try (Admin admin = Admin.create(clientProps("admin"))) {
      describe(admin);
      admin.deleteTopics(List.of(plan.topic())).all().get();
      long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
      while (admin.listTopics().names().get().contains(plan.topic())) {
        check(System.nanoTime() < deadline, "topic still listed after deletion");
      }
      MatrixPlan.emit("event", "deleted", "topic", plan.topic());
    }
  }

  /** Third process: read the (already written and compacted) topic from the beginning. */
  private void readCompacted() {
    try (KafkaConsumer<String, String> reader = standalone()) {
      readFromBeginning(reader, "compacted");
    }
  }

  /** Assigns every partition of the topic, reads them from the beginning to their end offsets and returns them. */
  private List<TopicPartition> readFromBeginning(KafkaConsumer<String, String> reader, String phase) {
    List<TopicPartition> partitions = partitions(reader);
    reader.assign(partitions);
    reader.seekToBeginning(partitions);
    readToEnd(reader, phase, "");
    return partitions;
  }

  private void produce(String codec, int phase) throws Exception {
    Properties props = clientProps("producer-" + codec);
    props.put("key.serializer", StringSerializer.class.getName());
    props.put("value.serializer", StringSerializer.class.getName());
    props.put("enable.idempotence", "true");
    props.put("acks", "all");
    props.put("compression.type", codec);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      List<MatrixPlan.Record> records = plan.records(codec, phase);
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (MatrixPlan.Record record : records) {
        List<Header> headers = new ArrayList<>();
        record.headers().forEach(h -> headers.add(new RecordHeader(h.get(0), h.get(1).getBytes(StandardCharsets.UTF_8))));
        sent.add(producer.send(new ProducerRecord<>(plan.topic(), null, record.timestamp(), record.key(), record.value(), headers)));
      }
      producer.flush();
      for (int i = 0; i < records.size(); i++) {
        RecordMetadata metadata = sent.get(i).get();
        MatrixPlan.Record record = records.get(i);
        MatrixPlan.emit("event", "produced", "phase", phase, "codec", codec, "partition", metadata.partition(),
            "offset", metadata.offset(), "key", record.key(), "value", record.value(), "headers", record.headers(),
            "timestamp", record.timestamp());
      }
    }
  }

  private void describe(Admin admin) throws Exception {
    try (KafkaConsumer<String, String> reader = standalone()) {
      List<PartitionInfo> partitions = reader.partitionsFor(plan.topic(), STEP_TIMEOUT);
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, plan.topic());
      Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
      MatrixPlan.emit("event", "described", "partitions", partitions.size(),
          "leaders", partitions.stream().map(p -> p.leader().id()).distinct().sorted().toList(),
          "config", config.get(MatrixPlan.DESCRIBED_CONFIG).value());
    }
  }

  /** Polls both members until the group is stable with each owning part of the topic. */
  private void awaitSharedAssignment(KafkaConsumer<String, String> first, KafkaConsumer<String, String> second) {
    long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
    while (true) {
      // Nothing is produced yet, so these polls only drive the rebalance.
      check(first.poll(POLL).isEmpty() && second.poll(POLL).isEmpty(), "records before anything was produced");
      Set<TopicPartition> a = first.assignment();
      Set<TopicPartition> b = second.assignment();
      Set<TopicPartition> union = new HashSet<>(a);
      union.addAll(b);
      if (!a.isEmpty() && !b.isEmpty() && union.size() == a.size() + b.size() && union.size() == MatrixPlan.PARTITIONS) {
        return;
      }
      check(System.nanoTime() < deadline, "group never shared the partitions: " + a + " / " + b);
    }
  }

  /** Reads until the consumer's position reaches the end offset of every partition it is assigned. */
  private void readToEnd(KafkaConsumer<String, String> consumer, String phase, String member) {
    long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
    Map<TopicPartition, Long> ends = null;
    while (ends == null || ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
      check(System.nanoTime() < deadline, phase + " did not reach the end offsets " + ends);
      emitRecords(consumer.poll(POLL), phase, member);
      if (ends == null && consumer.assignment().size() == MatrixPlan.PARTITIONS) {
        ends = consumer.endOffsets(consumer.assignment());
      }
    }
  }

  private static int emitRecords(Iterable<ConsumerRecord<String, String>> records, String phase, String member) {
    int count = 0;
    for (ConsumerRecord<String, String> record : records) {
      List<List<String>> headers = new ArrayList<>();
      for (Header header : record.headers()) {
        headers.add(List.of(header.key(), new String(header.value(), StandardCharsets.UTF_8)));
      }
      MatrixPlan.emit("event", "consumed", "phase", phase, "member", member, "partition", record.partition(),
          "offset", record.offset(), "key", record.key(), "value", record.value(), "headers", headers,
          "timestamp", record.timestamp());
      count++;
    }
    return count;
  }

  private static void emitAssignment(String member, KafkaConsumer<String, String> consumer) {
    MatrixPlan.emit("event", "assigned", "member", member,
        "partitions", consumer.assignment().stream().map(TopicPartition::partition).sorted().toList());
  }

  private static void emitCommitted(KafkaConsumer<String, String> consumer) {
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(consumer.assignment());
    committed.forEach((partition, offset) ->
        MatrixPlan.emit("event", "committed", "partition", partition.partition(), "offset", offset.offset()));
  }

  private List<TopicPartition> partitions(KafkaConsumer<String, String> consumer) {
    return consumer.partitionsFor(plan.topic(), STEP_TIMEOUT).stream()
        .map(p -> new TopicPartition(p.topic(), p.partition())).sorted((x, y) -> Integer.compare(x.partition(), y.partition())).toList();
  }

  private KafkaConsumer<String, String> groupMember(String clientId) {
    Properties props = consumerProps(clientId);
    props.put("group.id", plan.group());
    return new KafkaConsumer<>(props);
  }

  private KafkaConsumer<String, String> standalone() {
    return new KafkaConsumer<>(consumerProps("reader"));
  }

  private Properties consumerProps(String clientId) {
    Properties props = clientProps(clientId);
    props.put("key.deserializer", StringDeserializer.class.getName());
    props.put("value.deserializer", StringDeserializer.class.getName());
    props.put("enable.auto.commit", "false");
    props.put("auto.offset.reset", "earliest");
    return props;
  }

  private Properties clientProps(String clientId) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("client.id", clientId);
    return props;
  }

  private static void check(boolean condition, String failure) {
    if (!condition) {
      throw new IllegalStateException(failure);
    }
  }
}
