package io.vltava.node;

import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends one record to each topic named on the command line with whichever kafka-clients is on the
 * classpath (run in a child JVM with an older release's jars), and prints one line per topic:
 * {@code topic=ok} or {@code topic=<exception class>}. Uses only API that kafka-clients 2.x has.
 */
public final class ProduceOnceDriver {
  private ProduceOnceDriver() {}

  /** {@code BOOTSTRAP TOPIC...} */
  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", args[0]);
    props.put("key.serializer", StringSerializer.class.getName());
    props.put("value.serializer", StringSerializer.class.getName());
    props.put("max.block.ms", "20000");
    props.put("delivery.timeout.ms", "20000");
    props.put("request.timeout.ms", "10000");
    for (int i = 1; i < args.length; i++) {
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
        producer.send(new ProducerRecord<>(args[i], "value")).get(30, TimeUnit.SECONDS);
        System.out.println(args[i] + "=ok");
      } catch (ExecutionException e) {
        System.out.println(args[i] + "=" + e.getCause().getClass().getSimpleName());
      }
    }
    System.exit(0);
  }
}
