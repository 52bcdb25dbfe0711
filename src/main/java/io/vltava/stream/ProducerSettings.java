package io.vltava.stream;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.pekko.actor.ClassicActorSystemProvider;

/**
 * How {@link Producer} stages write: where to, with which serializers and Kafka producer
 * properties, how many sends in flight, and over which transport. Immutable; the {@code with*}
 * methods return changed copies.
 */
public record ProducerSettings<K, V>(
    String bootstrapServers,
    Serializer<K> keySerializer,
    Serializer<V> valueSerializer,
    Map<String, String> properties,
    int parallelism,
    Duration closeTimeout,
    ProducerTransport.Factory transport) {

  /** The config section {@link #create(Config, Serializer, Serializer)} reads. */
  public static final String CONFIG_PATH = "vltava.stream.producer";

  public ProducerSettings {
    Objects.requireNonNull(keySerializer, "keySerializer");
    Objects.requireNonNull(valueSerializer, "valueSerializer");
    properties = Map.copyOf(properties);
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, was " + parallelism);
    }
    Objects.requireNonNull(transport, "transport");
  }

  /** Defaults from the ActorSystem's {@code vltava.stream.producer} section. */
  public static <K, V> ProducerSettings<K, V> create(
      ClassicActorSystemProvider system, Serializer<K> keySerializer, Serializer<V> valueSerializer) {
    return create(system.classicSystem().settings().config().getConfig(CONFIG_PATH), keySerializer, valueSerializer);
  }

  /** Defaults from {@code config}, a {@code vltava.stream.producer} section. */
  public static <K, V> ProducerSettings<K, V> create(
      Config config, Serializer<K> keySerializer, Serializer<V> valueSerializer) {
    return new ProducerSettings<>("", keySerializer, valueSerializer, Map.of(),
        config.getInt("parallelism"), config.getDuration("close-timeout"), RemoteProducerTransport.FACTORY);
  }

  public ProducerSettings<K, V> withBootstrapServers(String servers) {
    return new ProducerSettings<>(servers, keySerializer, valueSerializer, properties, parallelism, closeTimeout, transport);
  }

  /** A kafka-clients producer property, e.g. {@code linger.ms} or {@code acks}. */
  public ProducerSettings<K, V> withProperty(String key, String value) {
    Map<String, String> changed = new HashMap<>(properties);
    changed.put(key, value);
    return new ProducerSettings<>(bootstrapServers, keySerializer, valueSerializer, changed, parallelism, closeTimeout, transport);
  }

  public ProducerSettings<K, V> withParallelism(int sendsInFlight) {
    return new ProducerSettings<>(bootstrapServers, keySerializer, valueSerializer, properties, sendsInFlight, closeTimeout, transport);
  }

  public ProducerSettings<K, V> withCloseTimeout(Duration timeout) {
    return new ProducerSettings<>(bootstrapServers, keySerializer, valueSerializer, properties, parallelism, timeout, transport);
  }

  /** The transport behind the stages; {@link RemoteProducerTransport#FACTORY} (the Kafka protocol) by default. */
  public ProducerSettings<K, V> withTransport(ProducerTransport.Factory factory) {
    return new ProducerSettings<>(bootstrapServers, keySerializer, valueSerializer, properties, parallelism, closeTimeout, factory);
  }

  /** The kafka-clients properties: {@link #properties()} with the bootstrap servers. */
  public Map<String, Object> kafkaProperties() {
    Map<String, Object> all = new HashMap<>(properties);
    if (!bootstrapServers.isEmpty()) {
      all.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    }
    return all;
  }
}
