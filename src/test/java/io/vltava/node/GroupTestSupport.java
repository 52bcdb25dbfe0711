package io.vltava.node;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/** Shared pieces of the consumer-group tests: node settings, topics, records, and a consumer on its own thread. */
public final class GroupTestSupport {
  private GroupTestSupport() {}

  /** Fast groups: no initial rebalance delay, short session timeouts allowed. */
  public static final Map<String, Object> FAST_GROUPS = Map.of(
      "vltava.groups.group.initial.rebalance.delay.ms", 0,
      "vltava.groups.group.min.session.timeout.ms", 100);

  static void createTopic(String bootstrap, String topic, int partitions) throws Exception {
    try (Admin admin = Admin.create(TestNodes.adminProps(bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    }
  }

  /** Sends {@code perPartition} records to each partition; values are "p-i". */
  static void produce(String bootstrap, String topic, int partitions, int perPartition) throws Exception {
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(TestNodes.producerProps(bootstrap))) {
      for (int i = 0; i < perPartition; i++) {
        for (int p = 0; p < partitions; p++) {
          sent.add(producer.send(new ProducerRecord<>(topic, p, null, (p + "-" + i).getBytes(StandardCharsets.UTF_8))));
        }
      }
    }
    for (Future<RecordMetadata> f : sent) {
      f.get();
    }
  }

  static Properties groupConsumerProps(String bootstrap, String group) {
    Properties props = TestNodes.consumerProps(bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "2000");
    props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "200");
    return props;
  }

  /** A group member polling on its own thread, recording what it receives and what it is assigned. */
  static final class PollingConsumer implements AutoCloseable {
    final ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
    final Set<TopicPartition> assignment = new CopyOnWriteArraySet<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    PollingConsumer(Properties props, String topic) {
      consumer = new KafkaConsumer<>(props);
      consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
          assignment.removeAll(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
          assignment.addAll(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
          assignment.removeAll(partitions);
        }
      });
      thread = new Thread(this::run, "polling-consumer");
      thread.start();
    }

    private void run() {
      try {
        while (running) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            received.add(r.partition() + "/" + r.offset());
          }
          consumer.commitSync();
        }
      } catch (WakeupException e) {
        // close() wakes the poll up.
      } finally {
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
      }
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      consumer.wakeup();
      thread.join(10_000);
    }
  }
}
