package io.vltava.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.testkit.VltavaCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's rolling restart, on three broker processes from the packaged jar while an idempotent
 * acks=all producer and a consumer group of two run throughout: SIGTERM one node, see it exit 0, start
 * it on the same data directory, wait for {@code /health/ready} and for no under-replicated partition
 * on any node's {@code /metrics}, then the next. Every acknowledged record is read back by the group,
 * in order per partition, none lost, none duplicated in the log, and the group never goes longer than
 * {@link #MAX_GROUP_STALL} without consuming a new record (an integration test, run by failsafe after
 * `package`).
 */
@Tag("slow")
class RollingRestartIT {
  private static final Path JAR = Path.of("target", "vltava.jar");
  private static final String TOPIC = "orders";
  private static final int PARTITIONS = 3;
  private static final String GROUP = "rolling";
  /** The producer's pace: steady enough that a pause in consumption is the cluster's, not the producer's. */
  private static final int RECORDS_PER_SECOND = 200;
  private static final int MAX_RECORDS = 200_000;
  /** The bound the README states for a rolling restart; see the measurements in its "Rolling restart" section. */
  static final Duration MAX_GROUP_STALL = Duration.ofSeconds(15);
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(90);

  @TempDir Path baseDir;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void aRollingRestartLosesNoAcknowledgedRecordAndStallsTheGroupBriefly() throws Exception {
    int[] kafkaPorts = VltavaCluster.freePorts(3);
    int[] httpPorts = VltavaCluster.freePorts(3);
    int[] clusterPorts = VltavaCluster.freePorts(3);
    BrokerProcess[] nodes = new BrokerProcess[3];
    AtomicBoolean producing = new AtomicBoolean(true);
    AtomicBoolean consuming = new AtomicBoolean(true);
    List<Thread> clients = new ArrayList<>();
    try {
      for (int id = 1; id <= 3; id++) {
        nodes[id - 1] = start(id, kafkaPorts, httpPorts, clusterPorts);
      }
      for (int id = 1; id <= 3; id++) {
        nodes[id - 1].awaitReady(STEP_TIMEOUT);
        awaitReady(nodes[id - 1]);
      }
      String bootstrap = "127.0.0.1:" + kafkaPorts[0] + ",127.0.0.1:" + kafkaPorts[1] + ",127.0.0.1:" + kafkaPorts[2];
      try (Admin admin = Admin.create(TestNodes.adminProps(bootstrap))) {
        admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
            .all().get(60, TimeUnit.SECONDS);
      }
      awaitNoUnderReplicatedPartitions(nodes);

      Producing producer = new Producing(bootstrap, producing);
      Consuming group = new Consuming();
      clients.add(thread("producer", producer));
      for (int member = 1; member <= 2; member++) {
        clients.add(thread("consumer-" + member, () -> group.run(bootstrap, consuming)));
      }
      await("the group consumes").atMost(STEP_TIMEOUT).until(() -> group.distinctRecords() > RECORDS_PER_SECOND);

      long restartsStartNanos = System.nanoTime();
      group.startMeasuring();
      for (int id = 1; id <= 3; id++) {
        long stepStartNanos = System.nanoTime();
        assertEquals(0, nodes[id - 1].terminate(STEP_TIMEOUT), "node " + id + " stops in order with exit 0");
        long stoppedNanos = System.nanoTime();
        nodes[id - 1] = start(id, kafkaPorts, httpPorts, clusterPorts);
        nodes[id - 1].awaitReady(STEP_TIMEOUT);
        awaitReady(nodes[id - 1]);
        long readyNanos = System.nanoTime();
        awaitNoUnderReplicatedPartitions(nodes);
        System.out.printf("rolling restart: node %d stopped in %d ms, ready after %d ms, in sync after %d ms%n", id,
            TimeUnit.NANOSECONDS.toMillis(stoppedNanos - stepStartNanos), TimeUnit.NANOSECONDS.toMillis(readyNanos - stoppedNanos),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - readyNanos));
      }
      long restartsEndNanos = System.nanoTime();
      // Keep going a little after the last restart: a stall that begins as the last node returns counts too.
      long after = group.distinctRecords() + 2L * RECORDS_PER_SECOND;
      await().atMost(STEP_TIMEOUT).until(() -> group.distinctRecords() > after);
      producing.set(false);
      clients.get(0).join(STEP_TIMEOUT.toMillis());
      assertEquals(List.of(), producer.failures, "no send failed");
      await("the group reads every acknowledged record").atMost(STEP_TIMEOUT)
          .until(() -> group.distinctRecords() >= producer.acknowledgedCount());
      consuming.set(false);
      for (Thread client : clients) {
        client.join(STEP_TIMEOUT.toMillis());
      }

      assertEquals(List.of(), group.errors);
      for (int partition = 0; partition < PARTITIONS; partition++) {
        assertEquals(producer.acknowledged(partition), group.log(partition),
            "partition " + partition + ": the group read exactly the acknowledged records, in order");
      }
      Duration stall = group.longestStall();
      System.out.printf("rolling restart: %d records, restarts took %d s, longest group stall %d ms (until %s), %d records redelivered%n",
          producer.acknowledgedCount(), TimeUnit.NANOSECONDS.toSeconds(restartsEndNanos - restartsStartNanos), stall.toMillis(),
          group.longestStallEnd, group.redelivered.get());
      assertTrue(stall.compareTo(MAX_GROUP_STALL) < 0, "the group stalled " + stall.toMillis() + " ms");
    } finally {
      producing.set(false);
      consuming.set(false);
      for (Thread client : clients) {
        client.join(STEP_TIMEOUT.toMillis());
      }
      for (BrokerProcess node : nodes) {
        if (node != null) {
          node.close();
        }
      }
    }
  }

  private BrokerProcess start(int id, int[] kafkaPorts, int[] httpPorts, int[] clusterPorts) throws Exception {
    List<String> args = new ArrayList<>(List.of("--node-id", Integer.toString(id), "--port", Integer.toString(kafkaPorts[id - 1]),
        "--http-port", Integer.toString(httpPorts[id - 1]), "--cluster-port", Integer.toString(clusterPorts[id - 1]),
        "--cluster-size", "3"));
    for (int port : clusterPorts) {
      args.addAll(List.of("--seed", "127.0.0.1:" + port));
    }
    return BrokerProcess.spawnJar(JAR, baseDir.resolve("node-" + id), args.toArray(String[]::new));
  }

  /** The README's step: wait until {@code GET /health/ready} answers 200. */
  private void awaitReady(BrokerProcess node) {
    await("ready").atMost(STEP_TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> get(node, "/health/ready").statusCode() == 200);
  }

  /** The README's step: the sum of {@code vltava_partitions_under_replicated} over every node is 0. */
  private void awaitNoUnderReplicatedPartitions(BrokerProcess[] nodes) {
    // A scrape waits up to 5 s for the group coordinators (the lag gauge), longer while one moves: try again.
    await("no under-replicated partition").atMost(STEP_TIMEOUT).pollInterval(Duration.ofMillis(500))
        .ignoreExceptionsInstanceOf(java.net.http.HttpTimeoutException.class).until(() -> {
      double underReplicated = 0;
      for (BrokerProcess node : nodes) {
        underReplicated += metric(get(node, "/metrics").body(), "vltava_partitions_under_replicated");
      }
      return underReplicated == 0;
    });
  }

  private static double metric(String prometheusText, String name) {
    return prometheusText.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .findFirst().orElseThrow(() -> new AssertionError(name + " missing from /metrics"));
  }

  private HttpResponse<String> get(BrokerProcess node, String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + node.httpAddress() + path)).timeout(Duration.ofSeconds(10)).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static Thread thread(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.start();
    return thread;
  }

  /**
   * Sends "p-i" to partition p at a steady pace until stopped, keeping each partition's acknowledged
   * values by the offset they were acknowledged at. Not in callback order: across a leader change a
   * later batch may be acknowledged by the new leader before an earlier one, already replicated,
   * comes back as a duplicate with its original (lower) offset, as with Kafka.
   */
  private static final class Producing implements Runnable {
    private final String bootstrap;
    private final AtomicBoolean producing;
    private final Map<Integer, ConcurrentSkipListMap<Long, String>> acknowledged = new ConcurrentHashMap<>();
    final List<String> failures = new CopyOnWriteArrayList<>();

    Producing(String bootstrap, AtomicBoolean producing) {
      this.bootstrap = bootstrap;
      this.producing = producing;
      for (int partition = 0; partition < PARTITIONS; partition++) {
        acknowledged.put(partition, new ConcurrentSkipListMap<>());
      }
    }

    @Override
    public void run() {
      Properties props = TestNodes.producerProps(bootstrap);
      props.put(ProducerConfig.ACKS_CONFIG, "all");
      props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
      props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
      long startNanos = System.nanoTime();
      long intervalNanos = TimeUnit.SECONDS.toNanos(1) / RECORDS_PER_SECOND;
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
        for (int i = 0; producing.get() && i < MAX_RECORDS; i++) {
          int partition = i % PARTITIONS;
          String value = partition + "-" + i;
          producer.send(new ProducerRecord<>(TOPIC, partition, null, value.getBytes(StandardCharsets.UTF_8)), (metadata, error) -> {
            if (error == null) {
              String before = acknowledged.get(partition).putIfAbsent(metadata.offset(), value);
              if (before != null) {
                failures.add(value + " acknowledged at offset " + metadata.offset() + ", which " + before + " has");
              }
            } else {
              failures.add(value + ": " + error);
            }
          });
          // Pacing, not synchronisation: the producer offers a steady load while the nodes restart.
          LockSupport.parkNanos(startNanos + (i + 1) * intervalNanos - System.nanoTime());
        }
        producer.flush();
      } catch (RuntimeException e) {
        failures.add("producer: " + e);
      }
    }

    /** The acknowledged values in offset order. */
    List<String> acknowledged(int partition) {
      return new ArrayList<>(acknowledged.get(partition).values());
    }

    int acknowledgedCount() {
      return acknowledged.values().stream().mapToInt(Map::size).sum();
    }
  }

  /**
   * The group's view: per partition, the value at each offset it consumed (a record seen again after a
   * rebalance must carry the same value), and when the group last consumed a record it had not seen.
   */
  private static final class Consuming {
    private final Map<Integer, TreeMap<Long, String>> logs = new ConcurrentHashMap<>();
    private final AtomicLong lastProgressNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong longestStallNanos = new AtomicLong();
    final AtomicLong redelivered = new AtomicLong();
    private volatile java.time.LocalTime longestStallEnd;
    /** What went wrong in the members' threads, for the test to assert on. */
    final List<String> errors = new CopyOnWriteArrayList<>();

    /** Stalls count from now: the group's first join is not part of the restart. */
    void startMeasuring() {
      lastProgressNanos.set(System.nanoTime());
      longestStallNanos.set(0);
    }

    void run(String bootstrap, AtomicBoolean consuming) {
      Properties props = TestNodes.consumerProps(bootstrap);
      props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
      props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
        consumer.subscribe(List.of(TOPIC), new ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            commit(consumer);
          }

          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
        });
        while (consuming.get()) {
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
            take(record);
          }
          commit(consumer);
          noteStall();
        }
      } catch (RuntimeException e) {
        errors.add(Thread.currentThread().getName() + ": " + e);
      }
    }

    private void commit(KafkaConsumer<byte[], byte[]> consumer) {
      try {
        consumer.commitSync(Duration.ofSeconds(10));
      } catch (KafkaException retriedOnNextPoll) {
        // A rebalance or a moving coordinator: the records since the last commit come again, which take() checks.
      }
    }

    private void take(ConsumerRecord<byte[], byte[]> record) {
      String value = new String(record.value(), StandardCharsets.UTF_8);
      TreeMap<Long, String> log = logs.computeIfAbsent(record.partition(), p -> new TreeMap<>());
      synchronized (log) {
        String before = log.putIfAbsent(record.offset(), value);
        if (before == null) {
          noteStall();
          lastProgressNanos.set(System.nanoTime());
        } else {
          redelivered.incrementAndGet();
          if (!before.equals(value)) {
            errors.add("partition " + record.partition() + " offset " + record.offset() + " was " + before + ", now " + value);
          }
        }
      }
    }

    private void noteStall() {
      long stallNanos = System.nanoTime() - lastProgressNanos.get();
      if (stallNanos > longestStallNanos.getAndAccumulate(stallNanos, Math::max)) {
        // Wall-clock time, to find the stall in the brokers' logs (target/broker-processes).
        longestStallEnd = java.time.LocalTime.now();
      }
    }

    long distinctRecords() {
      return logs.values().stream().mapToLong(log -> {
        synchronized (log) {
          return log.size();
        }
      }).sum();
    }

    /** The values of the partition's offsets 0, 1, 2, ... in order; a missing offset fails. */
    List<String> log(int partition) {
      TreeMap<Long, String> log = logs.getOrDefault(partition, new TreeMap<>());
      synchronized (log) {
        if (!log.isEmpty()) {
          assertEquals(log.size() - 1L, log.lastKey().longValue(), "partition " + partition + " has no gap in its offsets");
        }
        return new ArrayList<>(log.values());
      }
    }

    Duration longestStall() {
      return Duration.ofNanos(longestStallNanos.get());
    }
  }
}
