import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * docker/test-compose.sh's client, run in a container on the compose network with the kafka-clients
 * inside vltava.jar: creates a topic replicated on the three nodes, produces with acks=all, reads it
 * back with a consumer group, and exits non-zero unless every record came back in order.
 * Usage: java -cp vltava.jar:. ComposeSmokeClient BOOTSTRAP TOPIC RECORDS
 */
public final class ComposeSmokeClient {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String topic = args[1];
    int records = Integer.parseInt(args[2]);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      int brokers = admin.describeCluster().nodes().get(60, TimeUnit.SECONDS).size();
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
          .all().get(60, TimeUnit.SECONDS);
      System.out.println("compose smoke: " + brokers + " brokers, topic " + topic + " created");
    }
    Properties producerProps = new Properties();
    producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    Map<Integer, List<String>> sent = new HashMap<>();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
      for (int i = 0; i < records; i++) {
        int partition = i % 3;
        String value = partition + "-" + i;
        producer.send(new ProducerRecord<>(topic, partition, null, value)).get(60, TimeUnit.SECONDS);
        sent.computeIfAbsent(partition, p -> new ArrayList<>()).add(value);
      }
    }
    Properties consumerProps = new Properties();
    consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, topic + "-readers");
    consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumerProps.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    consumerProps.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    Map<Integer, List<String>> read = new HashMap<>();
    int count = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps)) {
      consumer.subscribe(List.of(topic));
      while (count < records && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          read.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record.value());
          count++;
        }
      }
      consumer.commitSync();
    }
    if (!read.equals(sent)) {
      System.out.println("compose smoke: FAILED, read " + count + " of " + records + " records, or out of order");
      System.exit(1);
    }
    System.out.println("compose smoke: " + records + " records produced (acks=all) and read back in order by a consumer group");
  }
}
