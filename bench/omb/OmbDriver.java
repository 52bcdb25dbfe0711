import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * A load driver shaped like the OpenMessaging Benchmark's Kafka driver (OMB itself is not in Maven
 * Central): one topic, N producer threads each with its own KafkaProducer, and M consumers in one
 * group (OMB's "one subscription"), all in this JVM.
 *
 * <p>Rate limiting as OMB's: each producer has a schedule of intended send times (start + i / rate) and
 * sends each record at its intended time, or at once when behind. Produce latency is ack time minus
 * actual send time, publish delay is actual minus intended send time (OMB's publishLatency and
 * publishDelayLatency), so a producer held back by a slow broker shows up as delay instead of being
 * hidden (coordinated omission). End-to-end latency is consumer receive time minus send time; the send
 * time is System.nanoTime() in the first 8 bytes of each value (OMB uses the record's millisecond
 * timestamp; producers and consumers share this JVM, so the nanosecond clock is common and finer).
 *
 * <pre>
 * ramp  [options]  highest sustained rate: after --warmup-seconds (30) at --start-rate, steps up by
 *                  --ramp-factor until a step is not sustained, then bisects. A step is sustained when producers acked and consumers received >= 97% of the
 *                  records the rate asked for, publish delay p99 <= 1 s and the backlog at its end is at most
 *                  one second of records. stdout: STEP lines, then RESULT max_rate=...
 * fixed [options]  --rate records/s for --warmup-seconds, then --seconds measured in windows of
 *                  --window-seconds. stdout: WINDOW lines, then RESULT with percentiles of the whole window.
 * </pre>
 *
 * Common options: --bootstrap (required), --topic (default omb-MODE-TIME), --partitions 100,
 * --replication-factor 1, --topic-config k=v (repeatable), --producers 4, --consumers 4,
 * --record-bytes 1024, --producer-config k=v, --consumer-config k=v (repeatable, override OMB's
 * kafka-throughput defaults: acks=all, linger.ms=1, batch.size=1048576; auto.offset.reset=earliest,
 * enable.auto.commit=false with commitAsync after each poll). Latencies are printed in milliseconds.
 */
public final class OmbDriver {
  private static final long MAX_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(10);
  private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);
  private static final double SUSTAINED_SHARE = 0.97;
  private static final double MAX_SUSTAINED_DELAY_MS = 1000;

  private final Map<String, List<String>> options;
  private final String bootstrap;
  private final String topic;
  private final int partitions;
  private final int recordBytes;
  private final Stats stats = new Stats();
  private final List<ProducerWorker> producers = new ArrayList<>();
  private final List<ConsumerWorker> consumers = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || !(args[0].equals("ramp") || args[0].equals("fixed"))) {
      System.err.println("usage: OmbDriver ramp|fixed --bootstrap HOST:PORT[,...] [options] (see the class comment)");
      System.exit(2);
    }
    OmbDriver driver = new OmbDriver(args[0], parse(args));
    int exit;
    try {
      driver.setUp();
      exit = args[0].equals("ramp") ? driver.ramp() : driver.fixed();
    } finally {
      driver.tearDown();
    }
    System.exit(exit);
  }

  private OmbDriver(String mode, Map<String, List<String>> options) {
    this.options = options;
    this.bootstrap = required("bootstrap");
    this.topic = string("topic", "omb-" + mode + "-" + System.currentTimeMillis());
    this.partitions = integer("partitions", 100);
    this.recordBytes = integer("record-bytes", 1024);
    if (recordBytes < Long.BYTES) throw new IllegalArgumentException("--record-bytes must be at least 8");
  }

  // ------------------------------------------------------------------------------------------- modes

  private int ramp() throws InterruptedException {
    double rate = number("start-rate", 5000);
    double factor = number("ramp-factor", 2);
    int bisections = integer("bisect-steps", 3);
    long warmupMs = seconds("step-warmup-seconds", 5);
    long measureMs = seconds("step-seconds", 15);
    double sustainedRate = 0;
    double failedRate = Double.NaN;
    int bisected = 0;
    pace(rate); // warm both sides up (JIT, connections, first segments) before the first measured step
    Thread.sleep(seconds("warmup-seconds", 30));
    pause();
    for (int step = 1; step <= 40; step++) {
      StepResult result = step(rate, warmupMs, measureMs);
      System.out.printf("STEP n=%d rate=%.0f produce_rate=%.0f consume_rate=%.0f delay_p99_ms=%.2f produce_p99_ms=%.2f "
              + "e2e_p99_ms=%.2f backlog=%d errors=%d sustained=%s%n", step, rate, result.produceRate, result.consumeRate,
          ms(result.delay, 99), ms(result.produce, 99), ms(result.e2e, 99), result.backlog, result.errors,
          result.sustained ? "yes" : "no");
      System.out.flush();
      if (result.sustained) sustainedRate = rate; else failedRate = rate;
      if (Double.isNaN(failedRate)) {
        rate *= factor;
      } else if (sustainedRate == 0) {
        rate /= factor; // even the start rate was too high: step down until one holds
      } else if (bisected++ < bisections) {
        rate = (sustainedRate + failedRate) / 2;
      } else {
        break;
      }
    }
    System.out.printf("RESULT max_rate=%.0f max_mb_s=%.2f record_bytes=%d%n", sustainedRate,
        sustainedRate * recordBytes / 1e6, recordBytes);
    return sustainedRate > 0 ? 0 : 1;
  }

  private int fixed() throws InterruptedException {
    double rate = number("rate", Double.NaN);
    if (!(rate > 0)) throw new IllegalArgumentException("fixed needs --rate > 0");
    long warmupMs = seconds("warmup-seconds", 60);
    long measureMs = seconds("seconds", 60);
    long windowMs = seconds("window-seconds", measureMs / 1000);
    pace(rate);
    Thread.sleep(warmupMs);
    stats.resetIntervals();
    Histogram produce = histogram();
    Histogram e2e = histogram();
    Histogram delay = histogram();
    long acked0 = stats.acked.sum();
    long received0 = stats.received.sum();
    long start = System.nanoTime();
    int windows = (int) Math.max(1, Math.round((double) measureMs / windowMs));
    for (int w = 1; w <= windows; w++) {
      long windowAcked = stats.acked.sum();
      long windowReceived = stats.received.sum();
      long windowStart = System.nanoTime();
      sleepUntil(start + TimeUnit.MILLISECONDS.toNanos(w * measureMs / windows));
      double secs = (System.nanoTime() - windowStart) / 1e9;
      Histogram p = stats.produceLatency.getIntervalHistogram();
      Histogram e = stats.endToEnd.getIntervalHistogram();
      Histogram d = stats.publishDelay.getIntervalHistogram();
      produce.add(p);
      e2e.add(e);
      delay.add(d);
      System.out.println("WINDOW n=" + w + " " + summary(rate, (stats.acked.sum() - windowAcked) / secs,
          (stats.received.sum() - windowReceived) / secs, p, e, d));
      System.out.flush();
    }
    double secs = (System.nanoTime() - start) / 1e9;
    double produceRate = (stats.acked.sum() - acked0) / secs;
    double consumeRate = (stats.received.sum() - received0) / secs;
    pause();
    System.out.println("RESULT " + summary(rate, produceRate, consumeRate, produce, e2e, delay));
    return stats.errors.sum() == 0 ? 0 : 1;
  }

  private String summary(double rate, double produceRate, double consumeRate, Histogram produce, Histogram e2e,
      Histogram delay) {
    return String.format("rate=%.0f produce_rate=%.0f consume_rate=%.0f produce_p50_ms=%.2f produce_p99_ms=%.2f "
            + "produce_p999_ms=%.2f produce_max_ms=%.2f e2e_p50_ms=%.2f e2e_p99_ms=%.2f e2e_p999_ms=%.2f "
            + "e2e_max_ms=%.2f delay_p99_ms=%.2f errors=%d", rate, produceRate, consumeRate, ms(produce, 50),
        ms(produce, 99), ms(produce, 99.9), produce.getMaxValue() / 1000.0, ms(e2e, 50), ms(e2e, 99), ms(e2e, 99.9),
        e2e.getMaxValue() / 1000.0, ms(delay, 99), stats.errors.sum());
  }

  private record StepResult(double produceRate, double consumeRate, Histogram produce, Histogram e2e, Histogram delay,
      long backlog, long errors, boolean sustained) {}

  /** One ramp step at {@code rate}: drain what earlier steps left, run warm-up, then measure. */
  private StepResult step(double rate, long warmupMs, long measureMs) throws InterruptedException {
    drain();
    long errorsBefore = stats.errors.sum();
    pace(rate);
    Thread.sleep(warmupMs);
    stats.resetIntervals();
    long acked0 = stats.acked.sum();
    long received0 = stats.received.sum();
    long start = System.nanoTime();
    Thread.sleep(measureMs);
    double secs = (System.nanoTime() - start) / 1e9;
    long acked = stats.acked.sum();
    long received = stats.received.sum();
    Histogram produce = stats.produceLatency.getIntervalHistogram();
    Histogram e2e = stats.endToEnd.getIntervalHistogram();
    Histogram delay = stats.publishDelay.getIntervalHistogram();
    pause();
    double produceRate = (acked - acked0) / secs;
    double consumeRate = (received - received0) / secs;
    long backlog = acked - received;
    long errors = stats.errors.sum() - errorsBefore;
    boolean sustained = produceRate >= SUSTAINED_SHARE * rate && consumeRate >= SUSTAINED_SHARE * rate
        && ms(delay, 99) <= MAX_SUSTAINED_DELAY_MS && backlog <= rate && errors == 0;
    return new StepResult(produceRate, consumeRate, produce, e2e, delay, backlog, errors, sustained);
  }

  // ------------------------------------------------------------------------------------------- set-up

  private void setUp() throws Exception {
    createTopic();
    int consumerCount = integer("consumers", 4);
    String group = "omb-sub-" + topic;
    for (int i = 0; i < consumerCount; i++) consumers.add(new ConsumerWorker(consumerProperties(group), topic, stats));
    consumers.forEach(c -> start("omb-consumer", c));
    long deadline = System.nanoTime() + SETUP_TIMEOUT.toNanos();
    while (!consumersReady(consumerCount)) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("consumers not all assigned within " + SETUP_TIMEOUT);
      Thread.sleep(100);
    }
    int producerCount = integer("producers", 4);
    for (int i = 0; i < producerCount; i++) producers.add(new ProducerWorker(producerProperties(), topic, recordBytes, stats));
    producers.forEach(p -> start("omb-producer", p));
    log("topic %s: %d partitions, %d producers, %d consumers ready", topic, partitions, producerCount, consumerCount);
  }

  /** Ready once the group settled: every partition assigned, and each consumer has some when there are enough. */
  private boolean consumersReady(int consumerCount) {
    int assigned = 0;
    for (ConsumerWorker c : consumers) {
      int mine = c.assigned.get();
      if (mine == 0 && partitions >= consumerCount) return false;
      assigned += mine;
    }
    return assigned == partitions;
  }

  private void createTopic() throws Exception {
    Map<String, String> configs = new HashMap<>(keyValues("topic-config", Map.of()));
    short replicationFactor = (short) integer("replication-factor", 1);
    try (Admin admin = Admin.create(adminProperties())) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, replicationFactor).configs(configs))).all()
          .get(SETUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      long deadline = System.nanoTime() + SETUP_TIMEOUT.toNanos();
      while (true) {
        try {
          TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
              .get(10, TimeUnit.SECONDS).get(topic);
          if (description.partitions().size() == partitions
              && description.partitions().stream().allMatch(OmbDriver::hasFullIsr)) {
            return;
          }
        } catch (Exception notYet) {
          // a node may learn of the new topic a moment after the one that created it
        }
        if (System.nanoTime() > deadline) throw new IllegalStateException("topic " + topic + " not ready in " + SETUP_TIMEOUT);
        Thread.sleep(200);
      }
    }
  }

  private static boolean hasFullIsr(TopicPartitionInfo partition) {
    return partition.leader() != null && partition.isr().size() == partition.replicas().size();
  }

  private void deleteTopic() {
    try (Admin admin = Admin.create(adminProperties())) {
      admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      log("could not delete topic %s: %s", topic, e);
    }
  }

  private void tearDown() throws InterruptedException {
    producers.forEach(ProducerWorker::stop);
    consumers.forEach(ConsumerWorker::stop);
    for (Thread t : threads) t.join(TimeUnit.SECONDS.toMillis(30));
    if (!options.containsKey("keep-topic")) deleteTopic();
  }

  private void start(String name, Runnable worker) {
    Thread t = new Thread(worker, name + "-" + threads.size());
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  private Properties adminProperties() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15000);
    return p;
  }

  private Properties producerProperties() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, "1048576");
    p.putAll(keyValues("producer-config", Map.of()));
    return p;
  }

  private Properties consumerProperties(String group) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "10485760");
    p.putAll(keyValues("consumer-config", Map.of()));
    return p;
  }

  // ------------------------------------------------------------------------------------------- pacing

  private void pace(double totalRate) {
    Pace pace = new Pace(totalRate / producers.size(), System.nanoTime());
    producers.forEach(p -> p.pace = pace);
  }

  private void pause() {
    producers.forEach(p -> p.pace = null);
  }

  /** Waits (bounded) until consumers have received every acknowledged record, so a step starts clean. */
  private void drain() throws InterruptedException {
    long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
    while (stats.received.sum() < stats.acked.sum()) {
      if (System.nanoTime() > deadline) {
        log("backlog of %d records not drained in %s", stats.acked.sum() - stats.received.sum(), DRAIN_TIMEOUT);
        return;
      }
      Thread.sleep(50);
    }
  }

  private static void sleepUntil(long deadlineNanos) throws InterruptedException {
    long left;
    while ((left = deadlineNanos - System.nanoTime()) > 0) Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
  }

  /** Records per second for one producer, from startNanos on; a new Pace restarts the schedule. */
  private record Pace(double ratePerSecond, long startNanos) {}

  /** Counters and latency recorders shared by all workers (thread-safe: LongAdder and HdrHistogram Recorder). */
  private static final class Stats {
    final LongAdder acked = new LongAdder();
    final LongAdder received = new LongAdder();
    final LongAdder errors = new LongAdder();
    final Recorder produceLatency = new Recorder(MAX_LATENCY_MICROS, 3);
    final Recorder publishDelay = new Recorder(MAX_LATENCY_MICROS, 3);
    final Recorder endToEnd = new Recorder(MAX_LATENCY_MICROS, 3);

    void resetIntervals() {
      produceLatency.reset();
      publishDelay.reset();
      endToEnd.reset();
    }

    static void record(Recorder recorder, long micros) {
      recorder.recordValue(Math.min(Math.max(0, micros), MAX_LATENCY_MICROS));
    }
  }

  /** One producer on its own thread, sending on its Pace's schedule; its value buffer is reused (send() copies it). */
  private static final class ProducerWorker implements Runnable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final byte[] value;
    private final Stats stats;
    volatile Pace pace;
    private volatile boolean running = true;

    ProducerWorker(Properties properties, String topic, int recordBytes, Stats stats) {
      this.producer = new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
      this.topic = topic;
      this.value = new byte[recordBytes];
      ThreadLocalRandom.current().nextBytes(value);
      this.stats = stats;
      producer.partitionsFor(topic); // metadata before the first timed send
    }

    @Override
    public void run() {
      Pace current = null;
      long sent = 0;
      ByteBuffer stamp = ByteBuffer.wrap(value);
      try {
        while (running) {
          Pace p = pace;
          if (p == null) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            continue;
          }
          if (p != current) {
            current = p;
            sent = 0;
          }
          long intended = p.startNanos() + (long) (sent * 1e9 / p.ratePerSecond());
          long now;
          while ((now = System.nanoTime()) < intended) LockSupport.parkNanos(intended - now);
          stamp.putLong(0, now);
          long sendNanos = now;
          producer.send(new ProducerRecord<>(topic, value), (metadata, error) -> {
            if (error != null) {
              if (stats.errors.sum() < 5) log("send failed: %s", error);
              stats.errors.increment();
              return;
            }
            long ackNanos = System.nanoTime();
            stats.acked.increment();
            Stats.record(stats.produceLatency, (ackNanos - sendNanos) / 1000);
            Stats.record(stats.publishDelay, (sendNanos - intended) / 1000);
          });
          sent++;
        }
      } finally {
        producer.close(Duration.ofSeconds(30));
      }
    }

    void stop() {
      running = false;
    }
  }

  /** One consumer of the shared group on its own thread; reads only the send time from each value. */
  private static final class ConsumerWorker implements Runnable {
    private final KafkaConsumer<byte[], Long> consumer;
    private final String topic;
    private final Stats stats;
    final AtomicInteger assigned = new AtomicInteger();

    ConsumerWorker(Properties properties, String topic, Stats stats) {
      this.consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new SendTimeDeserializer());
      this.topic = topic;
      this.stats = stats;
    }

    @Override
    public void run() {
      try {
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            assigned.set(0);
          }

          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assigned.set(consumer.assignment().size());
          }
        });
        while (true) {
          ConsumerRecords<byte[], Long> records = consumer.poll(Duration.ofMillis(100));
          if (records.isEmpty()) continue;
          long now = System.nanoTime();
          for (ConsumerRecord<byte[], Long> r : records) Stats.record(stats.endToEnd, (now - r.value()) / 1000);
          stats.received.add(records.count());
          consumer.commitAsync();
        }
      } catch (WakeupException stopping) {
        // stop() woke the poll
      } finally {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(30)));
      }
    }

    void stop() {
      consumer.wakeup();
    }
  }

  /** Reads the producer's send time from the first 8 bytes of a value without copying the value. */
  public static final class SendTimeDeserializer implements Deserializer<Long> {
    @Override
    public Long deserialize(String topic, byte[] data) {
      return ByteBuffer.wrap(data).getLong(0);
    }

    @Override
    public Long deserialize(String topic, Headers headers, ByteBuffer data) {
      return data.getLong(data.position());
    }
  }

  // ------------------------------------------------------------------------------------------- options

  private static Map<String, List<String>> parse(String[] args) {
    Map<String, List<String>> options = new LinkedHashMap<>();
    for (int i = 1; i < args.length; i++) {
      if (!args[i].startsWith("--")) throw new IllegalArgumentException("expected an --option, got " + args[i]);
      String name = args[i].substring(2);
      if (name.equals("keep-topic")) {
        options.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
        continue;
      }
      if (i + 1 >= args.length) throw new IllegalArgumentException("--" + name + " needs a value");
      options.computeIfAbsent(name, k -> new ArrayList<>()).add(args[++i]);
    }
    Set<String> known = Set.of("bootstrap", "topic", "partitions", "replication-factor", "topic-config", "producers",
        "consumers", "record-bytes", "producer-config", "consumer-config", "start-rate", "ramp-factor", "bisect-steps",
        "step-warmup-seconds", "step-seconds", "rate", "warmup-seconds", "seconds", "window-seconds", "keep-topic");
    for (String name : options.keySet()) {
      if (!known.contains(name)) throw new IllegalArgumentException("unknown option --" + name);
    }
    return options;
  }

  private String string(String name, String fallback) {
    List<String> values = options.get(name);
    return values == null ? fallback : values.get(values.size() - 1);
  }

  private String required(String name) {
    String value = string(name, null);
    if (value == null) throw new IllegalArgumentException("--" + name + " is required");
    return value;
  }

  private int integer(String name, int fallback) {
    return Integer.parseInt(string(name, Integer.toString(fallback)));
  }

  private double number(String name, double fallback) {
    return Double.parseDouble(string(name, Double.toString(fallback)));
  }

  private long seconds(String name, long fallback) {
    return Math.round(number(name, fallback) * 1000);
  }

  private Map<String, String> keyValues(String name, Map<String, String> fallback) {
    List<String> values = options.get(name);
    if (values == null) return fallback;
    Map<String, String> result = new LinkedHashMap<>();
    for (String kv : values) {
      int eq = kv.indexOf('=');
      if (eq <= 0) throw new IllegalArgumentException("--" + name + " takes key=value, got " + kv);
      result.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return result;
  }

  private static Histogram histogram() {
    return new Histogram(MAX_LATENCY_MICROS, 3);
  }

  private static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
  }

  private static void log(String format, Object... args) {
    System.err.printf("omb-driver: " + format + "%n", args);
  }
}
