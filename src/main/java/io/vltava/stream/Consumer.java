package io.vltava.stream;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.Done;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Consumer sources. Each materialization opens its own transport (for the remote one, a
 * KafkaConsumer on a dedicated thread) and is controlled through the materialized {@link Control}.
 *
 * <p>Backpressure: a source fetches only while it holds fewer than {@link
 * ConsumerSettings#maxBufferedRecords()} records and fewer than {@link
 * ConsumerSettings#maxBufferedBytes()} bytes not yet pulled downstream, and never more than that
 * bound; a slow downstream therefore slows fetching.
 */
public final class Consumer {
  private Consumer() {}

  /** Records of {@code subscription}, in offset order per partition. */
  public static <K, V> Source<ConsumerRecord<K, V>, Control> plainSource(
      ConsumerSettings<K, V> settings, Subscription subscription) {
    return Source.fromGraph(new ConsumerStage<K, V, ConsumerRecord<K, V>>(
        settings, subscription, transport -> record -> record));
  }

  /**
   * Records of {@code subscription}, each with the offset to commit once it is processed (e.g.
   * through {@link Committer#sink}). Needs a group id.
   */
  public static <K, V> Source<ConsumerMessage.CommittableMessage<K, V>, Control> committableSource(
      ConsumerSettings<K, V> settings, Subscription subscription) {
    String groupId = settings.groupId().orElseThrow(
        () -> new IllegalArgumentException("committableSource needs a group id (ConsumerSettings.withGroupId)"));
    return Source.fromGraph(new ConsumerStage<K, V, ConsumerMessage.CommittableMessage<K, V>>(
        settings, subscription, transport -> {
          // One committer per source, so a batch merges this source's offsets into one commit.
          ConsumerMessage.OffsetCommitter committer = transport::commit;
          return record -> new ConsumerMessage.CommittableMessage<>(record, new ConsumerMessage.CommittableOffset(
              groupId, new TopicPartition(record.topic(), record.partition()), record.offset(), committer));
        }));
  }

  /** Stops and shuts down a consumer source; its materialized value. */
  public interface Control {
    /**
     * Stops fetching and completes the source; records fetched but not yet pulled are dropped
     * (they were never emitted, so never committed). The consumer stays open so offsets of
     * emitted records can still be committed; call {@link #shutdown} after. Completes when the
     * source has completed.
     */
    CompletionStage<Done> stop();

    /** Stops the source if it still runs, then leaves the group and closes the consumer. */
    CompletionStage<Done> shutdown();

    /**
     * {@link #stop}, then waits for {@code streamCompletion} (e.g. the {@link Committer#sink}'s
     * materialized value, so the last offsets are committed), then {@link #shutdown}. Completes
     * with {@code streamCompletion}'s outcome.
     */
    <T> CompletionStage<T> drainAndShutdown(CompletionStage<T> streamCompletion, Executor executor);

    /** Completes once the consumer is closed, however the source ended. */
    CompletionStage<Done> isShutdown();

    /** A snapshot of the source's buffer. */
    Metrics metrics();
  }

  /**
   * {@code bufferedRecords}/{@code bufferedBytes}: held now, not yet pulled downstream; {@code
   * peakBufferedBytes}: the most ever held; {@code emittedRecords}: pushed downstream so far;
   * {@code fetching}: a fetch is outstanding (false with records buffered means the source waits
   * for downstream demand).
   */
  public record Metrics(
      long bufferedRecords, long bufferedBytes, long peakBufferedBytes, long emittedRecords, boolean fetching) {}
}
