package io.vltava.stream;

import io.vltava.metadata.MetadataCache;
import io.vltava.metadata.TopicState;
import io.vltava.replica.AppendOutcome;
import io.vltava.replica.DirectCompletion;
import io.vltava.replica.PartitionLeader;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The in-cluster producer transport, for an application whose ActorSystem is a Vltava node: each
 * record becomes one v2 batch sent to its partition's leader entity ({@link PartitionLeader.Append})
 * through cluster sharding, without TCP. Partitions are chosen as kafka-clients' default
 * partitioner does for keyed records (murmur2 of the key modulo the partition count); records
 * without a key go round-robin. Topics are not created on first use. A record must fit in one
 * Artery frame ({@code pekko.remote.artery.advanced.maximum-frame-size}, 256 KiB by default).
 * Appends to one partition go one at a time, in send order; a retriable error answer is retried
 * until {@code request.timeout.ms}. Thread-safe: the partition chains are a concurrent map.
 */
public final class InClusterProducerTransport<K, V> implements ProducerTransport<K, V> {

  /** Opens in-cluster transports on {@code system}, a Vltava node whose metadata is {@code metadata}. */
  public static ProducerTransport.Factory factory(ActorSystem<?> system, MetadataCache metadata) {
    return new ProducerTransport.Factory() {
      @Override
      public <K2, V2> ProducerTransport<K2, V2> open(ProducerSettings<K2, V2> settings) {
        return new InClusterProducerTransport<>(system, metadata, settings);
      }
    };
  }

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final MetadataCache metadata;
  private final Serializer<K> keySerializer;
  private final Serializer<V> valueSerializer;
  private final Duration requestTimeout;
  private final Duration retryBackoff;
  private final AtomicInteger unkeyed = new AtomicInteger();
  private final Map<TopicPartition, CompletableFuture<AppendOutcome>> lastAppend = new ConcurrentHashMap<>();

  private InClusterProducerTransport(ActorSystem<?> system, MetadataCache metadata, ProducerSettings<K, V> settings) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.metadata = metadata;
    this.keySerializer = settings.keySerializer();
    this.valueSerializer = settings.valueSerializer();
    this.requestTimeout = Duration.ofMillis(Long.parseLong(
        settings.properties().getOrDefault(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000")));
    this.retryBackoff = Duration.ofMillis(Long.parseLong(
        settings.properties().getOrDefault(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "100")));
  }

  @Override
  public CompletionStage<RecordMetadata> send(ProducerRecord<K, V> record) {
    try {
      TopicState topic = metadata.current().topic(record.topic())
          .orElseThrow(() -> new UnknownTopicOrPartitionException("topic " + record.topic() + " does not exist"));
      byte[] key = keySerializer.serialize(record.topic(), record.headers(), record.key());
      byte[] value = valueSerializer.serialize(record.topic(), record.headers(), record.value());
      TopicPartition partition = new TopicPartition(record.topic(), partition(record, key, topic.partitionCount()));
      long timestampMs = record.timestamp() == null ? System.currentTimeMillis() : record.timestamp();
      byte[] batch = batchOf(timestampMs, key, value, record);
      long deadlineNanos = System.nanoTime() + requestTimeout.toNanos();
      // One append in flight per partition, so a retried one cannot land after a later record.
      CompletableFuture<AppendOutcome> appended = new CompletableFuture<>();
      lastAppend.compute(partition, (p, previous) -> {
        CompletableFuture<AppendOutcome> after = previous == null ? CompletableFuture.completedFuture(null) : previous;
        after.handle((ignored, failure) -> append(partition, batch, deadlineNanos))
            .thenCompose(attempt -> attempt)
            .whenComplete((outcome, failure) -> {
              if (failure != null) {
                appended.completeExceptionally(failure);
              } else {
                appended.complete(outcome);
              }
            });
        return appended;
      });
      // Forget a partition's last append once it is done and nothing newer replaced it.
      appended.whenComplete((outcome, failure) -> lastAppend.remove(partition, appended));
      return appended.thenApply(outcome -> {
        if (outcome.error() != Errors.NONE) {
          throw outcome.error().exception(outcome.errorMessage());
        }
        long appendTimeMs = outcome.info().logAppendTimeMs();
        return new RecordMetadata(partition, outcome.info().firstOffset(), 0, appendTimeMs >= 0 ? appendTimeMs : timestampMs,
            key == null ? -1 : key.length, value == null ? -1 : value.length);
      });
    } catch (RuntimeException e) {
      // Serialization errors, an unknown topic or partition.
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Appends, retrying after {@code retry.backoff.ms} while the leader answers with a retriable
   * error (not appended: e.g. no leader yet) and the request timeout has not passed. A failed ask
   * is not retried: the append may have happened.
   */
  private CompletableFuture<AppendOutcome> append(TopicPartition partition, byte[] batch, long deadlineNanos) {
    Duration left = Duration.ofNanos(Math.max(1, deadlineNanos - System.nanoTime()));
    return DirectCompletion.of(sharding.entityRefFor(PartitionLeader.TYPE_KEY, PartitionLeader.entityId(partition))
        .<AppendOutcome>ask(replyTo -> new PartitionLeader.Append(batch, replyTo), left))
        .thenCompose(outcome -> {
          boolean retriable = outcome.error().exception() instanceof RetriableException;
          if (!retriable || System.nanoTime() + retryBackoff.toNanos() > deadlineNanos) {
            return CompletableFuture.completedFuture(outcome);
          }
          return DirectCompletion.of(Patterns.after(retryBackoff, system, () -> append(partition, batch, deadlineNanos)));
        });
  }

  private int partition(ProducerRecord<K, V> record, byte[] key, int partitions) {
    if (record.partition() != null) {
      if (record.partition() < 0 || record.partition() >= partitions) {
        throw new UnknownTopicOrPartitionException(record.topic() + " has no partition " + record.partition());
      }
      return record.partition();
    }
    if (key != null) {
      return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }
    return Utils.toPositive(unkeyed.getAndIncrement()) % partitions;
  }

  private static byte[] batchOf(long timestampMs, byte[] key, byte[] value, ProducerRecord<?, ?> record) {
    int estimate = 128 + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
    MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(estimate), RecordBatch.CURRENT_MAGIC_VALUE,
        Compression.NONE, TimestampType.CREATE_TIME, 0L);
    builder.append(timestampMs, key == null ? null : ByteBuffer.wrap(key), value == null ? null : ByteBuffer.wrap(value),
        record.headers().toArray());
    ByteBuffer built = builder.build().buffer();
    byte[] bytes = new byte[built.remaining()];
    built.get(bytes);
    return bytes;
  }

  /** Every send is awaited by the stage, so nothing is held here. */
  @Override
  public void close(Duration timeout) {}
}
