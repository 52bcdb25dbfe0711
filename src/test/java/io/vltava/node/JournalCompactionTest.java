package io.vltava.node;

import static io.vltava.node.GroupTestSupport.FAST_GROUPS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's disk space is bounded by live state: a consumer group committing tens of thousands
 * of times (each commit a journal event, deleted once two snapshots are newer) keeps the journal
 * partition's log small while the log cleaner compacts it, and recovers its last offsets after a restart.
 */
@Tag("slow")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class JournalCompactionTest {
  private static final String JOURNAL = "__vltava_journal";
  private static final int COMMITS = 20_000;
  /**
   * Live state: at most 200 events (two snapshots' worth) of about 400 bytes and a marker, plus the
   * active segment (64 KiB here), which the cleaner never touches. Uncompacted, the 20,000 commits
   * take about 9 MB (measured with cleanup.policy=delete).
   */
  private static final long BOUND_AFTER_CLEANING_BYTES = 256 * 1024;
  /**
   * Allowing also for the cleaner's pace, tombstones younger than a second, and the files of replaced
   * segments, kept up to two seconds here while commits write about 1 MB a second (about 1 MB measured).
   */
  private static final long BOUND_WHILE_COMMITTING_BYTES = 2 * 1024 * 1024;

  @TempDir Path dataDir;

  @Test
  void aBusyGroupKeepsTheJournalSmallAndRecoversItsLastOffsets() throws Exception {
    Map<String, Object> settings = new HashMap<>(FAST_GROUPS);
    settings.put("vltava.groups.offsets-snapshot-every", 100);
    settings.put("vltava.journal.partitions", 1);
    settings.put("vltava.journal.topic-configs.\"segment.bytes\"", "65536");
    settings.put("vltava.journal.topic-configs.\"delete.retention.ms\"", "1000");
    settings.put("vltava.log-cleaner.log.cleaner.backoff.ms", 100);
    // Segments the cleaner replaced keep their files a second, and then go at the next retention check.
    settings.put("vltava.topic-defaults.file.delete.delay.ms", 1000);
    settings.put("vltava.topics.log.retention.check.interval.ms", 1000);
    TopicPartition p0 = new TopicPartition("events", 0);
    TopicPartition p1 = new TopicPartition("events", 1);
    long largestWhileCommittingBytes = 0;
    try (VltavaNode node = TestNodes.start(dataDir, settings);
        Admin admin = Admin.create(TestNodes.adminProps(node.bootstrapServers()))) {
      GroupTestSupport.createTopic(node.bootstrapServers(), "events", 2);
      try (KafkaConsumer<byte[], byte[]> consumer =
          new KafkaConsumer<>(GroupTestSupport.groupConsumerProps(node.bootstrapServers(), "busy"))) {
        for (int i = 1; i <= COMMITS; i++) {
          consumer.commitSync(Map.of(p0, new OffsetAndMetadata(i), p1, new OffsetAndMetadata(2L * i, "m" + i)));
          if (i % 500 == 0) {
            largestWhileCommittingBytes = Math.max(largestWhileCommittingBytes, journalLogBytes());
          }
        }
      }
      Config journalConfigs = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, JOURNAL)))
          .all().get().values().iterator().next();
      assertEquals("compact", journalConfigs.get("cleanup.policy").value());
      assertEquals("-1", journalConfigs.get("retention.ms").value());
      await().atMost(Duration.ofSeconds(60)).until(JournalCompactionTest.this::journalLogBytes,
          bytes -> bytes < BOUND_AFTER_CLEANING_BYTES);
    }
    assertTrue(largestWhileCommittingBytes < BOUND_WHILE_COMMITTING_BYTES,
        "the journal's log reached " + largestWhileCommittingBytes + " bytes while " + COMMITS + " commits were made");
    try (VltavaNode node = TestNodes.start(dataDir, settings);
        KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(GroupTestSupport.groupConsumerProps(node.bootstrapServers(), "busy"))) {
      Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.of(p0, p1), Duration.ofSeconds(30));
      assertEquals(new OffsetAndMetadata(COMMITS), committed.get(p0));
      assertEquals(new OffsetAndMetadata(2L * COMMITS, "m" + COMMITS), committed.get(p1));
    }
  }

  /** Bytes of the journal partition's segment files on disk, those of replaced segments not yet deleted included. */
  private long journalLogBytes() {
    try (Stream<Path> files = Files.list(dataDir.resolve(JOURNAL + "-0"))) {
      return files.filter(file -> file.getFileName().toString().contains(".log")).mapToLong(file -> {
        try {
          return Files.size(file);
        } catch (IOException e) {
          return 0; // a file deleted between listing and sizing
        }
      }).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
