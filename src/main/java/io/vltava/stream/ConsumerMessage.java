package io.vltava.stream;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.Done;

/** The elements of {@link Consumer#committableSource} and the offsets they let a stream commit. */
public final class ConsumerMessage {
  private ConsumerMessage() {}

  /** Something whose offsets can be committed: one {@link CommittableOffset} or a {@link CommittableOffsetBatch}. */
  public sealed interface Committable permits CommittableOffset, CommittableOffsetBatch {
    /** Commits; completes when the group coordinator has stored the offsets. */
    CompletionStage<Done> commit();

    /** How many offsets this stands for (batches count what was merged into them). */
    long batchSize();
  }

  /** Where commits go: the transport of the source that read the record. */
  @FunctionalInterface
  public interface OffsetCommitter {
    CompletionStage<Done> commit(Map<TopicPartition, OffsetAndMetadata> offsets);
  }

  /** A record and the committable offset of the record after it. */
  public record CommittableMessage<K, V>(ConsumerRecord<K, V> record, CommittableOffset committableOffset) {}

  /**
   * The offset of one consumed record, in its group; committing it stores {@code offset + 1}, the
   * next record to read, as Kafka does.
   */
  public record CommittableOffset(String groupId, TopicPartition partition, long offset, OffsetCommitter committer)
      implements Committable {
    public CommittableOffset {
      Objects.requireNonNull(groupId, "groupId");
      Objects.requireNonNull(partition, "partition");
      Objects.requireNonNull(committer, "committer");
    }

    @Override
    public CompletionStage<Done> commit() {
      return committer.commit(Map.of(partition, new OffsetAndMetadata(offset + 1)));
    }

    @Override
    public long batchSize() {
      return 1;
    }
  }

  /**
   * The highest offset per partition of many {@link CommittableOffset}s, to commit in one request
   * per source. Immutable.
   */
  public record CommittableOffsetBatch(Map<OffsetCommitter, Map<TopicPartition, Long>> offsets, long batchSize)
      implements Committable {

    public static CommittableOffsetBatch empty() {
      return new CommittableOffsetBatch(Map.of(), 0);
    }

    public static CommittableOffsetBatch of(List<? extends Committable> committables) {
      CommittableOffsetBatch batch = empty();
      for (Committable committable : committables) {
        batch = batch.updated(committable);
      }
      return batch;
    }

    /** This batch with {@code committable} merged in; a lower offset never replaces a higher one. */
    public CommittableOffsetBatch updated(Committable committable) {
      Map<OffsetCommitter, Map<TopicPartition, Long>> merged = new IdentityHashMap<>();
      offsets.forEach((committer, byPartition) -> merged.put(committer, new HashMap<>(byPartition)));
      if (committable instanceof CommittableOffset one) {
        merged.computeIfAbsent(one.committer(), c -> new HashMap<>()).merge(one.partition(), one.offset(), Math::max);
      } else if (committable instanceof CommittableOffsetBatch other) {
        other.offsets().forEach((committer, byPartition) -> byPartition.forEach((partition, offset) ->
            merged.computeIfAbsent(committer, c -> new HashMap<>()).merge(partition, offset, Math::max)));
      }
      return new CommittableOffsetBatch(merged, batchSize + committable.batchSize());
    }

    @Override
    public CompletionStage<Done> commit() {
      List<CompletableFuture<Done>> commits = new ArrayList<>();
      offsets.forEach((committer, byPartition) -> {
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        byPartition.forEach((partition, offset) -> next.put(partition, new OffsetAndMetadata(offset + 1)));
        commits.add(committer.commit(next).toCompletableFuture());
      });
      return CompletableFuture.allOf(commits.toArray(CompletableFuture[]::new)).thenApply(v -> Done.getInstance());
    }
  }
}
