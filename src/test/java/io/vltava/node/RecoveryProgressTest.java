package io.vltava.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.vltava.log.PartitionLog;
import io.vltava.replica.LogRecoveryProgress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A node restarted over several partition logs reports its recovery, partition by partition, in its log and metrics. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RecoveryProgressTest {
  private static final Pattern PARTITION_LINE = Pattern.compile("Recovering partition (\\d+) of (\\d+): (\\S+), (\\d+) segments, .+");
  private static final int RECORDS_PER_PARTITION = 50;

  @TempDir Path dataDir;
  @RegisterExtension final CapturedLog replicaLog = new CapturedLog("io.vltava.replica", Level.INFO);

  @Test
  void restartLogsEachPartitionAgainstTheTotalAndASummary() throws Exception {
    // Small segments, so that some partitions recover several.
    Map<String, Object> settings = Map.of("vltava.topic-defaults.segment.bytes", 4096);
    try (VltavaNode node = TestNodes.start(dataDir, settings)) {
      try (Admin admin = Admin.create(TestNodes.adminProps(node.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic("orders", 4, (short) 1), new NewTopic("payments", 2, (short) 1))).all().get();
      }
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(TestNodes.producerProps(node.bootstrapServers()))) {
        for (int i = 0; i < RECORDS_PER_PARTITION; i++) {
          for (int p = 0; p < 4; p++) {
            producer.send(new ProducerRecord<>("orders", p, null, ("order-" + i + "-" + "x".repeat(200)).getBytes(StandardCharsets.UTF_8)));
          }
          producer.send(new ProducerRecord<>("payments", i % 2, null, ("payment-" + i).getBytes(StandardCharsets.UTF_8)));
          if (i % 10 == 9) {
            producer.flush(); // batches of ~2 KB: several segments of 4 KB per orders partition
          }
        }
      }
    }
    Set<String> onDisk = partitionDirsWithSegments();
    assertTrue(onDisk.containsAll(Set.of("orders-0", "orders-3", "payments-1")), onDisk.toString());

    try (VltavaNode node = TestNodes.start(dataDir, settings)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> node.progress().recovery().snapshot().complete());
      assertEquals(new LogRecoveryProgress.Snapshot(onDisk.size(), onDisk.size(),
          node.progress().recovery().snapshot().bytesStarted(), true), node.progress().recovery().snapshot());

      List<String> lines = replicaLog.messages();
      Set<Integer> numbers = new TreeSet<>();
      Set<String> recovered = new TreeSet<>();
      int ordersSegments = 0;
      for (String line : lines) {
        Matcher m = PARTITION_LINE.matcher(line);
        if (m.matches()) {
          assertEquals(onDisk.size(), Integer.parseInt(m.group(2)), line);
          numbers.add(Integer.parseInt(m.group(1)));
          recovered.add(m.group(3));
          ordersSegments += m.group(3).startsWith("orders-") ? Integer.parseInt(m.group(4)) : 0;
        }
      }
      assertEquals(onDisk, recovered, "every partition on disk is reported once");
      assertEquals(onDisk.size(), numbers.size());
      assertEquals(onDisk.size(), numbers.stream().mapToInt(Integer::intValue).max().orElse(0));
      assertTrue(ordersSegments > 4, "orders rolled segments: " + ordersSegments);
      assertEquals(1, lines.stream().filter(l -> l.startsWith("Recovered the logs of " + onDisk.size() + " partitions (")).count(),
          lines.toString());

      var address = node.httpAddress().orElseThrow();
      HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://" + address.getHostString() + ":" + address.getPort() + "/metrics")).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertTrue(scrape.body().lines().anyMatch(l -> l.equals("vltava_log_recovery_partitions_remaining 0.0")), scrape.body());
    }
  }

  private Set<String> partitionDirsWithSegments() throws Exception {
    try (Stream<Path> dirs = Files.list(dataDir)) {
      return dirs.filter(Files::isDirectory).filter(PartitionLog::holdsSegments)
          .map(d -> d.getFileName().toString()).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
    }
  }
}
