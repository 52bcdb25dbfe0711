package io.vltava.clients;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.AppInfoParser;

/**
 * A producer sending as fast as it can for a while, run in a child JVM with whichever
 * kafka-clients is on its classpath (the API it uses is the same from 2.8 to 4.3), to show that
 * client respects the broker's throttling. Its small buffer makes send() block while it is
 * throttled, so the loop goes at the pace the broker allows. Prints one JSON line: the records
 * acknowledged in all and from {@code measureFromSeconds} on, the seconds measured, and the
 * client's own produce-throttle-time-max. Any failure exits non-zero.
 */
public final class ThrottledProducerDriver {
  private ThrottledProducerDriver() {}

  /** {@code BOOTSTRAP TOPIC CLIENT_ID VALUE_BYTES MEASURE_FROM_SECONDS RUN_SECONDS} */
  public static void main(String[] args) throws Exception {
    int valueBytes = Integer.parseInt(args[3]);
    long startNanos = System.nanoTime();
    long measureFromNanos = startNanos + Duration.ofSeconds(Long.parseLong(args[4])).toNanos();
    long endNanos = startNanos + Duration.ofSeconds(Long.parseLong(args[5])).toNanos();
    Properties props = new Properties();
    props.put("bootstrap.servers", args[0]);
    props.put("client.id", args[2]);
    props.put("acks", "1");
    props.put("linger.ms", "5");
    props.put("buffer.memory", String.valueOf(64 * 1024));
    props.put("batch.size", String.valueOf(16 * 1024));
    props.put("max.block.ms", "5000");
    props.put("key.serializer", ByteArraySerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    AtomicLong acked = new AtomicLong();
    AtomicLong ackedMeasured = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    double maxThrottleMs;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      for (int i = 0; i < 100_000 && System.nanoTime() < endNanos; i++) {
        producer.send(new ProducerRecord<>(args[1], new byte[valueBytes]), (metadata, e) -> {
          long now = System.nanoTime();
          if (e != null) {
            failures.incrementAndGet();
          } else {
            acked.incrementAndGet();
            if (now >= measureFromNanos && now < endNanos) {
              ackedMeasured.incrementAndGet();
            }
          }
        });
      }
      maxThrottleMs = producer.metrics().entrySet().stream()
          .filter(e -> e.getKey().name().equals("produce-throttle-time-max") && e.getKey().group().equals("producer-metrics"))
          .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).findFirst().orElse(-1);
      producer.flush();
    }
    MatrixPlan.emit("event", "produced", "version", AppInfoParser.getVersion(), "acked", acked.get(),
        "ackedMeasured", ackedMeasured.get(), "failures", failures.get(),
        "secondsMeasured", (endNanos - measureFromNanos) / 1e9, "produceThrottleTimeMaxMs", maxThrottleMs);
    System.exit(failures.get() == 0 ? 0 : 1);
  }
}
