package io.vltava.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.vltava.log.TopicConfigs;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;
import org.junit.jupiter.api.Test;

/** DescribeConfigs' view of a topic's configs, from their one definition: values, sources, synonyms, types and documentation. */
class TopicConfigEntriesTest {
  private final TopicConfigs configs = TopicConfigs.fromConfig(ConfigFactory.defaultReference().getConfig("vltava.topic-defaults"));

  @Test
  void everySupportedConfigIsListedInDefinitionOrderWithItsSource() {
    List<TopicConfigEntries> entries = TopicConfigEntries.of(configs, Map.of("retention.ms", "1000"));
    assertEquals(List.of("cleanup.policy", "delete.retention.ms", "file.delete.delay.ms", "flush.messages", "flush.ms",
        "index.interval.bytes",
        "max.message.bytes", "message.timestamp.type", "max.compaction.lag.ms", "min.cleanable.dirty.ratio", "min.compaction.lag.ms",
        "min.insync.replicas", "retention.bytes", "retention.ms", "segment.bytes", "segment.index.bytes", "segment.ms",
        "unclean.leader.election.enable", "leader.replication.throttled.replicas", "follower.replication.throttled.replicas"),
        entries.stream().map(TopicConfigEntries::name).toList());

    Map<String, TopicConfigEntries> byName = entries.stream().collect(Collectors.toMap(TopicConfigEntries::name, Function.identity()));
    TopicConfigEntries retention = byName.get("retention.ms");
    assertEquals(new TopicConfigEntries("retention.ms", "1000", ConfigSource.TOPIC_CONFIG, "604800000", ConfigSource.DEFAULT_CONFIG),
        retention);
    assertEquals(List.of(synonym("retention.ms", "1000", ConfigSource.TOPIC_CONFIG),
        synonym("retention.ms", "604800000", ConfigSource.DEFAULT_CONFIG)), retention.synonyms());
    assertEquals(List.of(synonym("cleanup.policy", "delete", ConfigSource.DEFAULT_CONFIG)), byName.get("cleanup.policy").synonyms());
  }

  @Test
  void typesAndDocumentationAreAsBefore() {
    Map<String, TopicConfigEntries> byName = TopicConfigEntries.of(configs, Map.of()).stream()
        .collect(Collectors.toMap(TopicConfigEntries::name, Function.identity()));
    assertType(byName, "cleanup.policy", ConfigType.LIST,
        "delete (whole segments by retention.ms and retention.bytes), compact (the last record of each key), or compact,delete.");
    assertType(byName, "retention.ms", ConfigType.LONG,
        "Delete segments whose newest record is older than this many milliseconds; -1 to keep forever.");
    assertType(byName, "max.message.bytes", ConfigType.INT, "The largest record batch size accepted, in bytes.");
    assertType(byName, "min.cleanable.dirty.ratio", ConfigType.DOUBLE,
        "The share of a compacted log not yet cleaned above which the cleaner cleans it.");
    assertType(byName, "message.timestamp.type", ConfigType.STRING,
        "CreateTime keeps the producer's timestamps; LogAppendTime stamps the broker's clock.");
    assertType(byName, "unclean.leader.election.enable", ConfigType.BOOLEAN,
        "Allow an out-of-sync replica to become leader, losing data, when no in-sync replica is alive.");
    assertType(byName, "follower.replication.throttled.replicas", ConfigType.LIST,
        "Replicas (partition:broker,... or *) that fetch, while out of sync, within their broker's follower.replication.throttled.rate.");
  }

  private static void assertType(Map<String, TopicConfigEntries> byName, String name, ConfigType type, String documentation) {
    assertEquals(type.id(), byName.get(name).configType(), name);
    assertEquals(documentation, byName.get(name).documentation(), name);
  }

  private static DescribeConfigsSynonym synonym(String name, String value, ConfigSource source) {
    return new DescribeConfigsSynonym().setName(name).setValue(value).setSource(source.id());
  }
}
