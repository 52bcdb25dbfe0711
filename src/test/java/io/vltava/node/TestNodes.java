package io.vltava.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.vltava.log.PartitionLog;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Starts single nodes for tests: loopback, a free Kafka port, the given data dir and settings. */
public final class TestNodes {
  private TestNodes() {}

  public static Config config(Path dataDir, Map<String, Object> settings) {
    Map<String, Object> values = new HashMap<>(settings);
    values.put("vltava.data-dir", dataDir.toString());
    values.putIfAbsent("vltava.listener.port", 0);
    values.putIfAbsent("vltava.http.port", 0);
    return NodeSettings.load(ConfigFactory.parseMap(values));
  }

  public static VltavaNode start(Path dataDir, Map<String, Object> settings) throws Exception {
    return VltavaNode.start(config(dataDir, settings));
  }

  public static VltavaNode start(Path dataDir) throws Exception {
    return start(dataDir, Map.of());
  }

  public static Properties adminProps(String bootstrap) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return props;
  }

  /** A producer with kafka-clients' defaults (idempotent, acks=all) and byte-array serializers. */
  public static Properties producerProps(String bootstrap) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return props;
  }

  /**
   * Sends "value-N" (at most {@code maxRecords}) with an idempotent acks=all producer until {@code producing} turns
   * false, adding each acknowledged value to {@code acknowledged}; a flush every {@code flushEveryRecords} paces it.
   */
  public static void produceUntilStopped(String bootstrap, TopicPartition partition, AtomicBoolean producing,
      List<String> acknowledged, int lingerMs, int maxRecords, int flushEveryRecords) {
    Properties props = producerProps(bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    props.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      for (int i = 0; producing.get() && i < maxRecords; i++) {
        String value = "value-" + i;
        producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), null, value.getBytes(StandardCharsets.UTF_8)),
            (metadata, error) -> {
              if (error == null) {
                acknowledged.add(value);
              }
            });
        if (i % flushEveryRecords == flushEveryRecords - 1) {
          producer.flush();
        }
      }
      producer.flush();
    }
  }

  /**
   * Polls until {@code count} records arrived or 60 seconds passed, returning their values grouped by
   * partition in arrival order; callers assert on what came.
   */
  public static Map<TopicPartition, List<String>> pollValues(KafkaConsumer<byte[], byte[]> consumer, int count) {
    Map<TopicPartition, List<String>> read = new HashMap<>();
    int total = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (total < count && System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
        read.computeIfAbsent(new TopicPartition(record.topic(), record.partition()), tp -> new ArrayList<>())
            .add(new String(record.value(), StandardCharsets.UTF_8));
        total++;
      }
    }
    return read;
  }

  public static Properties consumerProps(String bootstrap) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return props;
  }

  /** A replica's log as bytes, from its start up to {@code endOffsetExclusive}: equal bytes mean identical batches. */
  public static byte[] logBytes(PartitionLog log, long endOffsetExclusive) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long offset = log.logStartOffset();
    while (offset < endOffsetExclusive) {
      MemoryRecords records = (MemoryRecords) log.read(offset, 1 << 20, endOffsetExclusive).records();
      ByteBuffer buffer = records.buffer().duplicate();
      byte[] chunk = new byte[buffer.remaining()];
      buffer.get(chunk);
      out.write(chunk);
      long next = offset;
      for (var batch : records.batches()) {
        next = batch.lastOffset() + 1;
      }
      if (next == offset) {
        break;
      }
      offset = next;
    }
    return out.toByteArray();
  }

  /** A replica's whole log as bytes. */
  public static byte[] logBytes(PartitionLog log) throws Exception {
    return logBytes(log, log.logEndOffset());
  }
}
