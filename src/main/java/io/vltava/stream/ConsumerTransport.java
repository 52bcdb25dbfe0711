package io.vltava.stream;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.pekko.Done;

/**
 * What a {@link Consumer} source needs from whatever reads partitions: {@link
 * RemoteConsumerTransport} speaks the Kafka protocol; {@link InClusterConsumerTransport} reads
 * from partition leaders through cluster sharding.
 *
 * <p>A source has at most one {@link #fetch} outstanding and asks for the next only when its
 * buffer has room, so the transport never holds records the source did not ask for (beyond its
 * own bounded prefetch). All methods may be called from any thread and return at once; results
 * complete on a transport thread, never on the common pool.
 */
public interface ConsumerTransport<K, V> {

  /**
   * The next records, waiting at most the poll timeout when none are ready (then an empty list).
   * Records of one partition come in offset order, and the next fetch continues after the last
   * record returned for each partition.
   */
  CompletionStage<Fetched<K, V>> fetch(FetchLimit limit);

  /** Commits {@code offsets} (the next offset to read, per partition) for the group. */
  CompletionStage<Done> commit(Map<TopicPartition, OffsetAndMetadata> offsets);

  /** Stops fetching, leaves the group and releases the transport, waiting at most {@code timeout}. Idempotent. */
  CompletionStage<Done> close(Duration timeout);

  /**
   * At most {@code maxRecords} records whose {@link #sizeInBytes} add up to at most {@code
   * maxBytes}; when {@code atLeastOne}, a first record larger than {@code maxBytes} is returned
   * alone, so a record bigger than the whole buffer still gets through.
   */
  record FetchLimit(int maxRecords, long maxBytes, boolean atLeastOne) {}

  /**
   * A fetch's records; {@code truncated} when more were ready than the limit allowed; {@code
   * revoked}: partitions taken from this consumer by a group rebalance since the last fetch, so
   * records of them that the source still holds must not be emitted (the partitions' new owners
   * read them from the committed offset). {@code records} come after the revocation.
   */
  record Fetched<K, V>(List<ConsumerRecord<K, V>> records, boolean truncated, Set<TopicPartition> revoked) {
    public Fetched {
      records = List.copyOf(records);
      revoked = Set.copyOf(revoked);
    }

    public Fetched(List<ConsumerRecord<K, V>> records, boolean truncated) {
      this(records, truncated, Set.of());
    }
  }

  /** Opens a transport for one materialization of a source. */
  interface Factory {
    <K, V> ConsumerTransport<K, V> open(ConsumerSettings<K, V> settings, Subscription subscription);
  }

  /** The unit of the buffer bounds: a record's serialized key, value and header bytes. */
  static long sizeInBytes(ConsumerRecord<?, ?> record) {
    long bytes = Math.max(0, record.serializedKeySize()) + (long) Math.max(0, record.serializedValueSize());
    for (Header header : record.headers()) {
      bytes += header.key().length() + (header.value() == null ? 0 : header.value().length);
    }
    return bytes;
  }
}
