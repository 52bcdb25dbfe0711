package io.vltava.ecosystem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.node.TestNodes;
import io.vltava.testkit.VltavaCluster;
import io.vltava.testkit.VltavaTestKit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kafka Streams 4.3.1 word count, {@code at_least_once}, on three Vltava nodes: Streams creates
 * its repartition topic (which it purges with DeleteRecords) and its store's changelog (compacted,
 * and compacted for real here), the counts it publishes and serves are exact, a restart with an
 * empty state directory restores the store from the changelog, and the application keeps counting
 * while the broker coordinating its group is killed and restarted.
 */
@Tag("slow")
class KafkaStreamsTest {
  private static final String APP = "word-count";
  private static final String LINES = "lines";
  private static final String COUNTS = "word-counts";
  private static final String STORE = "counts";
  private static final String REPARTITION = APP + "-words-repartition";
  private static final String CHANGELOG = APP + "-" + STORE + "-changelog";
  private static final int PARTITIONS = 3;
  private static final List<String> VOCABULARY = List.of(
      "vltava", "labe", "otava", "berounka", "sazava", "luznice", "jizera", "ohre", "morava", "dyje",
      "svratka", "jihlava", "oslava", "becva", "odra", "opava", "ostravice", "olse", "ploucnice", "kamenice");
  private static final Map<String, Object> CLUSTER_SETTINGS = Map.of(
      "vltava.log-cleaner.log.cleaner.backoff.ms", 100,
      // Segments roll by age at each maintenance tick, so the changelog becomes cleanable.
      "vltava.topics.log.retention.check.interval.ms", 200);
  /** The changelog is compacted soon after writes stop, so the restore below reads a compacted log. */
  private static final Map<String, String> CHANGELOG_CONFIGS = Map.of(
      TopicConfig.SEGMENT_MS_CONFIG, "500",
      TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01");

  @TempDir Path baseDir;

  /** Every time the counting sub-topology processed a word, whatever the outcome: the ceiling for at-least-once. */
  private final ConcurrentMap<String, LongAdder> countedWords = new ConcurrentHashMap<>();
  private final Map<String, Long> expected = new TreeMap<>();
  private final Random random = new Random(13);
  private int linesSent;

  @Test
  @Timeout(480)
  void wordCountIsExactRestoresFromItsChangelogAndSurvivesABrokerRestart() throws Exception {
    try (VltavaCluster cluster = VltavaCluster.start(3, baseDir, CLUSTER_SETTINGS);
        Admin admin = Admin.create(TestNodes.adminProps(cluster.bootstrapServers()));
        KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(cluster.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(LINES, PARTITIONS, (short) 3), new NewTopic(COUNTS, PARTITIONS, (short) 3)))
          .all().get();

      // 1. Counting, in rounds, so that Streams commits and purges its repartition topic in between.
      KafkaStreams first = start(cluster, "state-1", new AtomicLong());
      try {
        for (int round = 0; round < 4; round++) {
          sendLines(producer, 60);
          awaitCounts(cluster, first);
        }
        assertInternalTopics(admin);
        awaitRepartitionTopicPurged(admin);
        awaitChangelogCompacted(cluster);
      } finally {
        closeAndCheck(first);
      }

      // 2. A restart with an empty state directory: the store comes back from the changelog alone.
      AtomicLong restored = new AtomicLong();
      KafkaStreams restarted = start(cluster, "state-2", restored);
      try {
        await("the store is restored from the changelog")
            .untilAsserted(() -> assertEquals(expected, storeContents(restarted)));
        assertTrue(restored.get() >= VOCABULARY.size(), "records restored: " + restored.get());
        sendLines(producer, 30);
        awaitCounts(cluster, restarted);

        // 3. The node coordinating the application's group is killed while lines keep coming, and comes back.
        int coordinator = admin.describeConsumerGroups(List.of(APP)).all().get().get(APP).coordinator().id();
        sendLines(producer, 30);
        cluster.crash(coordinator);
        sendLines(producer, 60);
        long countedBefore = totalCounted();
        sendLines(producer, 30);
        await("counting goes on with a broker down").until(() -> totalCounted() > countedBefore);
        cluster.restart(coordinator);
        sendLines(producer, 30);
        for (String topic : List.of(LINES, COUNTS, REPARTITION, CHANGELOG)) {
          cluster.awaitFullIsr(topic);
        }
        sendLines(producer, 30);
        awaitCounts(cluster, restarted);
      } finally {
        closeAndCheck(restarted);
      }
    }
  }

  /** Transactions are not implemented, so exactly-once processing fails at once and says why, and the node stays up. */
  @Test
  @Timeout(120)
  void exactlyOnceFailsClearlyWithoutTransactions() throws Exception {
    try (VltavaTestKit kit = VltavaTestKit.start(1)) {
      kit.createTopic(LINES, 1, 1);
      kit.createTopic(COUNTS, 1, 1);
      Properties props = streamsProps(kit.bootstrapServers(), StreamsConfig.EXACTLY_ONCE_V2, 1, "eos");
      AtomicReference<Throwable> failure = new AtomicReference<>();
      try (KafkaStreams streams = new KafkaStreams(wordCount(), props)) {
        streams.setUncaughtExceptionHandler(error -> {
          failure.set(error);
          return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.start();
        await("the application fails").until(() -> streams.state() == KafkaStreams.State.ERROR);
      }
      assertTrue(causes(failure.get()).anyMatch(TransactionalIdAuthorizationException.class::isInstance),
          "the transactional id is refused: " + failure.get());
      assertEquals(Set.of(LINES, COUNTS), kit.admin().listTopics().names().get().stream()
          .filter(name -> !name.startsWith(APP + "-")).collect(Collectors.toSet()), "the node still answers");
    }
  }

  private static Stream<Throwable> causes(Throwable error) {
    return Stream.iterate(error, Objects::nonNull, Throwable::getCause);
  }

  private Properties streamsProps(String bootstrap, String guarantee, int replicationFactor, String stateDir) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, APP);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, replicationFactor);
    props.put(StreamsConfig.STATE_DIR_CONFIG, baseDir.resolve(stateDir).toString());
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    props.put(StreamsConfig.REPARTITION_PURGE_INTERVAL_MS_CONFIG, 100);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    return props;
  }

  private KafkaStreams start(VltavaCluster cluster, String stateDir, AtomicLong restored) {
    Properties props = streamsProps(cluster.bootstrapServers(), StreamsConfig.AT_LEAST_ONCE, 3, stateDir);
    KafkaStreams streams = new KafkaStreams(wordCount(), props);
    streams.setGlobalStateRestoreListener(new StateRestoreListener() {
      @Override
      public void onRestoreStart(TopicPartition partition, String store, long startOffset, long endOffset) {}

      @Override
      public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
        restored.addAndGet(numRestored);
      }

      @Override
      public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {}
    });
    streams.start();
    return streams;
  }

  /** lines → words → (repartition by word) → count in a logged store → word-counts. */
  private Topology wordCount() {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(LINES, Consumed.with(Serdes.String(), Serdes.String()))
        .flatMap((key, line) -> words(line).stream().map(word -> KeyValue.pair(word, word)).toList())
        .repartition(Repartitioned.<String, String>as("words").withKeySerde(Serdes.String()).withValueSerde(Serdes.String()))
        .processValues(CountedWords::new)
        .groupByKey()
        .count(Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as(STORE).withLoggingEnabled(CHANGELOG_CONFIGS))
        .toStream()
        .to(COUNTS, Produced.with(Serdes.String(), Serdes.Long()));
    return builder.build();
  }

  /** Notes each word the counting sub-topology is handed, then passes it on unchanged. */
  private final class CountedWords implements FixedKeyProcessor<String, String, String> {
    private FixedKeyProcessorContext<String, String> context;

    @Override
    public void init(FixedKeyProcessorContext<String, String> context) {
      this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, String> record) {
      countedWords.computeIfAbsent(record.key(), word -> new LongAdder()).increment();
      context.forward(record);
    }
  }

  private long totalCounted() {
    return countedWords.values().stream().mapToLong(LongAdder::sum).sum();
  }

  private static List<String> words(String line) {
    return List.of(line.split(" "));
  }

  /** Sends {@code count} lines of 1–6 random words, acknowledged by all replicas, and adds their words to the expected counts. */
  private void sendLines(KafkaProducer<String, String> producer, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      List<String> line = new ArrayList<>();
      for (int w = 1 + random.nextInt(6); w > 0; w--) {
        line.add(VOCABULARY.get(random.nextInt(VOCABULARY.size())));
      }
      producer.send(new ProducerRecord<>(LINES, "line-" + linesSent++, String.join(" ", line))).get();
      line.forEach(word -> expected.merge(word, 1L, Long::sum));
    }
  }

  /**
   * Waits until the output topic's last count for every word and the store's count both reach the
   * expected count, then checks them against what at-least-once allows: nothing lost (at least the
   * expected count) and nothing counted that the counting sub-topology was not handed (at most the
   * number of times it processed that word). Without reprocessing the two bounds are the same number.
   */
  private void awaitCounts(VltavaCluster cluster, KafkaStreams streams) {
    Map<String, Long> published = new HashMap<>();
    AtomicReference<Map<String, Long>> served = new AtomicReference<>(Map.of());
    try (KafkaConsumer<String, Long> consumer = countsConsumer(cluster.bootstrapServers(), COUNTS)) {
      // The store may run ahead of the output topic until its next commit flushes the latest counts
      // (a word processed twice after the crash, say), so both are read until they agree.
      await("counts published and served, the same in both")
          .failFast("the application failed", () -> streams.state() == KafkaStreams.State.ERROR)
          .until(() -> {
        for (ConsumerRecord<String, Long> record : consumer.poll(Duration.ofMillis(100))) {
          published.put(record.key(), record.value());
        }
        served.set(storeContents(streams));
        return reached(published) && reached(served.get()) && published.equals(served.get());
      });
    }
    Map<String, Long> stored = served.get();
    for (String word : VOCABULARY) {
      long ceiling = countedWords.getOrDefault(word, new LongAdder()).sum();
      long low = expected.getOrDefault(word, 0L);
      assertTrue(low <= stored.getOrDefault(word, 0L) && stored.getOrDefault(word, 0L) <= ceiling,
          word + ": stored " + stored.get(word) + ", sent " + low + ", processed " + ceiling);
    }
    assertEquals(stored, new TreeMap<>(published), "the store and the output topic agree");
    if (countedWords.keySet().stream().allMatch(word -> countedWords.get(word).sum() == expected.get(word))) {
      assertEquals(expected, stored, "no word was processed twice, so every count is exact");
    }
  }

  private boolean reached(Map<String, Long> counts) {
    return expected.entrySet().stream().allMatch(e -> counts.getOrDefault(e.getKey(), 0L) >= e.getValue());
  }

  private static Map<String, Long> storeContents(KafkaStreams streams) {
    ReadOnlyKeyValueStore<String, Long> store =
        streams.store(StoreQueryParameters.fromNameAndType(STORE, QueryableStoreTypes.keyValueStore()));
    Map<String, Long> contents = new TreeMap<>();
    try (KeyValueIterator<String, Long> all = store.all()) {
      all.forEachRemaining(kv -> contents.put(kv.key, kv.value));
    }
    return contents;
  }

  /** Streams created both internal topics with three replicas, and the changelog compacted. */
  private static void assertInternalTopics(Admin admin) throws Exception {
    Map<String, TopicDescription> topics = admin.describeTopics(List.of(REPARTITION, CHANGELOG)).allTopicNames().get();
    for (TopicDescription topic : topics.values()) {
      assertEquals(PARTITIONS, topic.partitions().size(), topic.name());
      topic.partitions().forEach(p -> assertEquals(3, p.replicas().size(), topic.name()));
    }
    ConfigResource changelog = new ConfigResource(ConfigResource.Type.TOPIC, CHANGELOG);
    ConfigResource repartition = new ConfigResource(ConfigResource.Type.TOPIC, REPARTITION);
    Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(changelog, repartition)).all().get();
    assertEquals("compact", configs.get(changelog).get(TopicConfig.CLEANUP_POLICY_CONFIG).value());
    assertEquals("delete", configs.get(repartition).get(TopicConfig.CLEANUP_POLICY_CONFIG).value());
  }

  /** Streams deletes the repartition records it has committed past (DeleteRecords): every partition's start moved. */
  private static void awaitRepartitionTopicPurged(Admin admin) {
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    partitions(REPARTITION).forEach(p -> earliest.put(p, OffsetSpec.earliest()));
    await("the repartition topic is purged").until(() -> admin.listOffsets(earliest).all().get().values().stream()
        .allMatch(start -> start.offset() > 0));
  }

  /** The changelog's cleaner leaves one record per word: what a restore will read. */
  private void awaitChangelogCompacted(VltavaCluster cluster) {
    List<TopicPartition> partitions = partitions(CHANGELOG);
    await("the changelog is compacted").until(() -> {
      try (KafkaConsumer<String, Long> consumer = countsConsumer(cluster.bootstrapServers(), CHANGELOG)) {
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        Map<String, Long> latest = new HashMap<>();
        int records = 0;
        while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
          for (ConsumerRecord<String, Long> record : consumer.poll(Duration.ofMillis(100))) {
            latest.put(record.key(), record.value());
            records++;
          }
        }
        assertEquals(expected, new TreeMap<>(latest), "the changelog's last value per word");
        return records == latest.size();
      }
    });
  }

  /** A consumer of word → count records assigned every partition of {@code topic}, from the start. */
  private static KafkaConsumer<String, Long> countsConsumer(String bootstrap, String topic) {
    Properties props = TestNodes.consumerProps(bootstrap);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, LongDeserializer.class.getName());
    KafkaConsumer<String, Long> consumer = new KafkaConsumer<>(props);
    consumer.assign(partitions(topic));
    consumer.seekToBeginning(partitions(topic));
    return consumer;
  }

  private static List<TopicPartition> partitions(String topic) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      partitions.add(new TopicPartition(topic, p));
    }
    return partitions;
  }

  private static Properties producerProps(String bootstrap) {
    Properties props = TestNodes.producerProps(bootstrap);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    return props;
  }

  private static void closeAndCheck(KafkaStreams streams) {
    assertTrue(streams.close(Duration.ofSeconds(60)), "closed in time");
  }

  private static ConditionFactory await(String what) {
    return Awaitility.await(what).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
        .ignoreExceptions();
  }
}
