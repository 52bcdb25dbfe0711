package io.vltava.stream;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.pekko.actor.ClassicActorSystemProvider;

/**
 * How {@link Consumer} sources read: where from, with which deserializers, group and Kafka
 * consumer properties, and the bounds on what a source holds before its downstream pulls it.
 * Immutable; the {@code with*} methods return changed copies.
 *
 * <p>Memory per source is bounded by {@code maxBufferedBytes} / {@code maxBufferedRecords} (the
 * source's own buffer) plus what kafka-clients prefetches ({@code fetch.max.bytes},
 * {@code max.partition.fetch.bytes}).
 */
public record ConsumerSettings<K, V>(
    String bootstrapServers,
    Deserializer<K> keyDeserializer,
    Deserializer<V> valueDeserializer,
    Optional<String> groupId,
    Map<String, String> properties,
    Duration pollTimeout,
    int maxBufferedRecords,
    long maxBufferedBytes,
    Duration keepAliveInterval,
    Duration commitTimeout,
    Duration closeTimeout,
    ConsumerTransport.Factory transport) {

  /** The config section {@link #create(Config, Deserializer, Deserializer)} reads. */
  public static final String CONFIG_PATH = "vltava.stream.consumer";

  public ConsumerSettings {
    Objects.requireNonNull(keyDeserializer, "keyDeserializer");
    Objects.requireNonNull(valueDeserializer, "valueDeserializer");
    properties = Map.copyOf(properties);
    if (maxBufferedRecords < 1) {
      throw new IllegalArgumentException("maxBufferedRecords must be at least 1, was " + maxBufferedRecords);
    }
    if (maxBufferedBytes < 1) {
      throw new IllegalArgumentException("maxBufferedBytes must be at least 1, was " + maxBufferedBytes);
    }
    Objects.requireNonNull(transport, "transport");
  }

  /** Defaults from the ActorSystem's {@code vltava.stream.consumer} section. */
  public static <K, V> ConsumerSettings<K, V> create(
      ClassicActorSystemProvider system, Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
    return create(system.classicSystem().settings().config().getConfig(CONFIG_PATH), keyDeserializer, valueDeserializer);
  }

  /** Defaults from {@code config}, a {@code vltava.stream.consumer} section. */
  public static <K, V> ConsumerSettings<K, V> create(
      Config config, Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
    return new ConsumerSettings<>("", keyDeserializer, valueDeserializer, Optional.empty(), Map.of(),
        config.getDuration("poll-timeout"), config.getInt("max-buffered-records"),
        config.getBytes("max-buffered-bytes"), config.getDuration("keep-alive-interval"),
        config.getDuration("commit-timeout"), config.getDuration("close-timeout"), RemoteConsumerTransport.FACTORY);
  }

  public ConsumerSettings<K, V> withBootstrapServers(String servers) {
    return new ConsumerSettings<>(servers, keyDeserializer, valueDeserializer, groupId, properties, pollTimeout,
        maxBufferedRecords, maxBufferedBytes, keepAliveInterval, commitTimeout, closeTimeout, transport);
  }

  public ConsumerSettings<K, V> withGroupId(String group) {
    return new ConsumerSettings<>(bootstrapServers, keyDeserializer, valueDeserializer, Optional.of(group), properties,
        pollTimeout, maxBufferedRecords, maxBufferedBytes, keepAliveInterval, commitTimeout, closeTimeout, transport);
  }

  /** A kafka-clients consumer property, e.g. {@code auto.offset.reset} or {@code max.poll.records}. */
  public ConsumerSettings<K, V> withProperty(String key, String value) {
    Map<String, String> changed = new HashMap<>(properties);
    changed.put(key, value);
    return new ConsumerSettings<>(bootstrapServers, keyDeserializer, valueDeserializer, groupId, changed, pollTimeout,
        maxBufferedRecords, maxBufferedBytes, keepAliveInterval, commitTimeout, closeTimeout, transport);
  }

  public ConsumerSettings<K, V> withPollTimeout(Duration timeout) {
    return new ConsumerSettings<>(bootstrapServers, keyDeserializer, valueDeserializer, groupId, properties, timeout,
        maxBufferedRecords, maxBufferedBytes, keepAliveInterval, commitTimeout, closeTimeout, transport);
  }

  /** Bounds on the records, and their bytes, a source holds before its downstream pulls them. */
  public ConsumerSettings<K, V> withBufferBounds(int records, long bytes) {
    return new ConsumerSettings<>(bootstrapServers, keyDeserializer, valueDeserializer, groupId, properties, pollTimeout,
        records, bytes, keepAliveInterval, commitTimeout, closeTimeout, transport);
  }

  public ConsumerSettings<K, V> withCommitTimeout(Duration timeout) {
    return new ConsumerSettings<>(bootstrapServers, keyDeserializer, valueDeserializer, groupId, properties, pollTimeout,
        maxBufferedRecords, maxBufferedBytes, keepAliveInterval, timeout, closeTimeout, transport);
  }

  public ConsumerSettings<K, V> withCloseTimeout(Duration timeout) {
    return new ConsumerSettings<>(bootstrapServers, keyDeserializer, valueDeserializer, groupId, properties, pollTimeout,
        maxBufferedRecords, maxBufferedBytes, keepAliveInterval, commitTimeout, timeout, transport);
  }

  /** The transport behind the sources; {@link RemoteConsumerTransport#FACTORY} (the Kafka protocol) by default. */
  public ConsumerSettings<K, V> withTransport(ConsumerTransport.Factory factory) {
    return new ConsumerSettings<>(bootstrapServers, keyDeserializer, valueDeserializer, groupId, properties, pollTimeout,
        maxBufferedRecords, maxBufferedBytes, keepAliveInterval, commitTimeout, closeTimeout, factory);
  }

  /**
   * The kafka-clients properties: {@link #properties()} with bootstrap servers and group id;
   * auto-commit is off unless set, since offsets are committed through the stream, and {@code
   * max.poll.records} is half of {@link #maxBufferedRecords()} and {@code fetch.max.bytes} half of
   * {@link #maxBufferedBytes()} (and {@code max.partition.fetch.bytes} no more) unless set, since a
   * source fetches once it has room for that much: polls then rarely bring more than fits.
   */
  public Map<String, Object> kafkaProperties() {
    Map<String, Object> all = new HashMap<>();
    all.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    all.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(Math.max(1, maxBufferedRecords / 2)));
    long halfBufferBytes = Math.min(Integer.MAX_VALUE, Math.max(1, maxBufferedBytes / 2));
    all.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Long.toString(halfBufferBytes));
    all.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
        Long.toString(Math.min(halfBufferBytes, ConsumerConfig.DEFAULT_MAX_PARTITION_FETCH_BYTES)));
    all.putAll(properties);
    if (!bootstrapServers.isEmpty()) {
      all.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    }
    groupId.ifPresent(group -> all.put(ConsumerConfig.GROUP_ID_CONFIG, group));
    return all;
  }
}
