package io.vltava.stream;

import io.vltava.group.CommittedOffset;
import io.vltava.group.GroupCoordinator;
import io.vltava.group.GroupProtocol;
import io.vltava.replica.DirectCompletion;
import io.vltava.replica.PartitionLeader;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Utils;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The in-cluster consumer transport, for an application whose ActorSystem is a Vltava node: reads
 * explicit partitions from their leader entities ({@link PartitionLeader.Read}) through cluster
 * sharding, without TCP, and commits offsets straight to the group's coordinator entity.
 *
 * <p>There is no group membership in-cluster: a source reads the partitions it is given ({@link
 * Subscription.Assignment} from the group's committed offsets, else {@code auto.offset.reset};
 * or {@link Subscription.AssignmentWithOffset}); a {@link Subscription.Topics} subscription is
 * refused. Commits are those of a group without members, as for a kafka-clients consumer with
 * {@code assign()}, so they are refused while the group has members.
 *
 * <p>Each fetch reads every assigned partition once, each read at most {@link #MAX_READ_BYTES}
 * (an Artery frame holds 256 KiB) and at most its share of the fetch limit's bytes; records beyond
 * the limit are read again next time, never held here. Positions change only when a fetch
 * completes, and the source has at most one fetch outstanding.
 */
public final class InClusterConsumerTransport<K, V> implements ConsumerTransport<K, V> {
  /** The most one partition read asks of a leader. */
  public static final int MAX_READ_BYTES = 128 * 1024;

  /** Opens in-cluster transports on {@code system}, a Vltava node. */
  public static ConsumerTransport.Factory factory(ActorSystem<?> system) {
    return new ConsumerTransport.Factory() {
      @Override
      public <K2, V2> ConsumerTransport<K2, V2> open(ConsumerSettings<K2, V2> settings, Subscription subscription) {
        return new InClusterConsumerTransport<>(system, settings, subscription);
      }
    };
  }

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final ConsumerSettings<K, V> settings;
  private final Duration requestTimeout;
  private final List<TopicPartition> partitions;
  private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
  private final CompletionStage<Void> positioned;
  private volatile boolean closed;
  // Which partition's records come first in a fetch; rotates so none starves under a tight limit.
  private int firstPartition;

  private InClusterConsumerTransport(ActorSystem<?> system, ConsumerSettings<K, V> settings, Subscription subscription) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.settings = settings;
    this.requestTimeout = Duration.ofMillis(Long.parseLong(
        settings.properties().getOrDefault(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000")));
    if (subscription instanceof Subscription.AssignmentWithOffset withOffsets) {
      partitions = List.copyOf(withOffsets.offsets().keySet());
      positions.putAll(withOffsets.offsets());
      positioned = CompletableFuture.completedFuture(null);
    } else if (subscription instanceof Subscription.Assignment assignment) {
      partitions = List.copyOf(assignment.partitions());
      positioned = committedOrReset();
    } else {
      throw new IllegalArgumentException(
          "the in-cluster transport has no group membership: subscribe to explicit partitions (Subscriptions.assignment)");
    }
  }

  private CompletionStage<Void> committedOrReset() {
    CompletionStage<List<CommittedOffset>> committed = settings.groupId()
        .map(group -> DirectCompletion.of(sharding.entityRefFor(GroupCoordinator.TYPE_KEY, group).<GroupCoordinator.FetchedOffsets>ask(
                replyTo -> new GroupCoordinator.FetchOffsets(partitions.stream()
                    .map(p -> new CommittedOffset.PartitionKey(p.topic(), p.partition())).toList(), replyTo),
                settings.commitTimeout()))
            .thenApply(GroupCoordinator.FetchedOffsets::offsets))
        .orElse(CompletableFuture.completedFuture(List.of()));
    boolean earliest = "earliest".equals(settings.properties().get(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG));
    return committed.thenCompose(offsets -> {
      offsets.stream().filter(o -> o.offset() >= 0)
          .forEach(o -> positions.put(new TopicPartition(o.topic(), o.partition()), o.offset()));
      List<CompletableFuture<Void>> resets = new ArrayList<>();
      for (TopicPartition partition : partitions) {
        if (!positions.containsKey(partition)) {
          resets.add(bounds(partition, System.nanoTime() + requestTimeout.toNanos()).thenAccept(bounds ->
              positions.put(partition, earliest ? bounds.logStartOffset() : bounds.highWatermark())));
        }
      }
      return CompletableFuture.allOf(resets.toArray(CompletableFuture[]::new));
    });
  }

  /** The partition's offset bounds, asked again after the poll timeout while it has no leader yet (a new topic). */
  private CompletableFuture<PartitionLeader.ReadResult> bounds(TopicPartition partition, long deadlineNanos) {
    return read(partition, 0, 0).thenCompose(bounds -> {
      if (bounds.error() == Errors.NONE) {
        return CompletableFuture.completedFuture(bounds);
      }
      if (!(bounds.error().exception() instanceof RetriableException) || System.nanoTime() > deadlineNanos) {
        checkError(partition, bounds.error());
      }
      return DirectCompletion.of(Patterns.after(settings.pollTimeout(), system, () -> bounds(partition, deadlineNanos)));
    });
  }

  @Override
  public CompletionStage<Fetched<K, V>> fetch(FetchLimit limit) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("consumer is closed"));
    }
    return positioned.thenCompose(ready -> readAll(limit)).thenCompose(fetched -> {
      if (!fetched.records().isEmpty() || fetched.truncated()) {
        return CompletableFuture.completedFuture(fetched);
      }
      // Nothing new: answer after the poll timeout, as a long poll would, rather than spin.
      CompletableFuture<Fetched<K, V>> later = new CompletableFuture<>();
      system.scheduler().scheduleOnce(settings.pollTimeout(), () -> later.complete(fetched), system.executionContext());
      return later;
    });
  }

  private CompletionStage<Fetched<K, V>> readAll(FetchLimit limit) {
    int count = partitions.size();
    int maxBytes = (int) Math.max(1, Math.min(MAX_READ_BYTES, limit.maxBytes() / count));
    List<TopicPartition> order = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      order.add(partitions.get((firstPartition + i) % count));
    }
    firstPartition = (firstPartition + 1) % count;
    Map<TopicPartition, CompletableFuture<PartitionLeader.ReadResult>> reads = new HashMap<>();
    for (TopicPartition partition : order) {
      reads.put(partition, read(partition, positions.get(partition), maxBytes)
          // An unreachable leader (crashed, moving) is read again on the next fetch.
          .exceptionally(failure -> new PartitionLeader.ReadResult(Errors.REQUEST_TIMED_OUT, new byte[0], -1, -1)));
    }
    return CompletableFuture.allOf(reads.values().toArray(CompletableFuture[]::new)).thenApply(all -> {
      List<ConsumerRecord<K, V>> taken = new ArrayList<>();
      long[] bytes = {0};
      boolean truncated = false;
      for (TopicPartition partition : order) {
        PartitionLeader.ReadResult result = reads.get(partition).join();
        if (result.error() == Errors.NONE) {
          truncated |= take(partition, result.batches(), limit, taken, bytes);
        } else if (!(result.error().exception() instanceof RetriableException)) {
          checkError(partition, result.error());
        }
      }
      return new Fetched<>(taken, truncated);
    });
  }

  /** Adds what fits of one partition's batches to {@code taken}, advances its position; true if some did not fit. */
  private boolean take(TopicPartition partition, byte[] batches, FetchLimit limit, List<ConsumerRecord<K, V>> taken, long[] bytes) {
    long position = positions.get(partition);
    for (RecordBatch batch : MemoryRecords.readableRecords(ByteBuffer.wrap(batches)).batches()) {
      if (!batch.isControlBatch()) {
        for (Record record : batch) {
          if (record.offset() < position) {
            continue;
          }
          ConsumerRecord<K, V> consumed = toConsumerRecord(partition, batch, record);
          long size = ConsumerTransport.sizeInBytes(consumed);
          boolean fits = taken.size() < limit.maxRecords()
              && (bytes[0] + size <= limit.maxBytes() || (taken.isEmpty() && limit.atLeastOne()));
          if (!fits) {
            positions.put(partition, record.offset());
            return true;
          }
          taken.add(consumed);
          bytes[0] += size;
        }
      }
      position = Math.max(position, batch.lastOffset() + 1);
    }
    positions.put(partition, position);
    return false;
  }

  private ConsumerRecord<K, V> toConsumerRecord(TopicPartition partition, RecordBatch batch, Record record) {
    RecordHeaders headers = new RecordHeaders(record.headers());
    K key = settings.keyDeserializer().deserialize(partition.topic(), headers, Utils.toNullableArray(record.key()));
    V value = settings.valueDeserializer().deserialize(partition.topic(), headers, Utils.toNullableArray(record.value()));
    Optional<Integer> leaderEpoch = batch.partitionLeaderEpoch() >= 0 ? Optional.of(batch.partitionLeaderEpoch()) : Optional.empty();
    return new ConsumerRecord<>(partition.topic(), partition.partition(), record.offset(), record.timestamp(),
        batch.timestampType(), record.keySize(), record.valueSize(), key, value, headers, leaderEpoch);
  }

  private CompletableFuture<PartitionLeader.ReadResult> read(TopicPartition partition, long offset, int maxBytes) {
    return DirectCompletion.of(sharding.entityRefFor(PartitionLeader.TYPE_KEY, PartitionLeader.entityId(partition))
        .<PartitionLeader.ReadResult>ask(replyTo -> new PartitionLeader.Read(offset, maxBytes, replyTo), requestTimeout));
  }

  private static void checkError(TopicPartition partition, Errors error) {
    if (error != Errors.NONE) {
      throw error.exception("reading " + partition + ": " + error.message());
    }
  }

  @Override
  public CompletionStage<Done> commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("consumer is closed"));
    }
    String group = settings.groupId().orElseThrow(() -> new IllegalStateException("committing needs a group id"));
    long nowMs = System.currentTimeMillis();
    List<CommittedOffset> committed = offsets.entrySet().stream()
        .map(e -> new CommittedOffset(e.getKey().topic(), e.getKey().partition(), e.getValue().offset(),
            e.getValue().leaderEpoch().orElse(-1), e.getValue().metadata(), nowMs))
        .toList();
    // No member id and generation -1: a commit for a group without members, as assign() consumers make.
    GroupProtocol.MemberGeneration noMember = new GroupProtocol.MemberGeneration("", null, -1);
    return DirectCompletion.of(sharding.entityRefFor(GroupCoordinator.TYPE_KEY, group)
        .<GroupCoordinator.Outcome>ask(replyTo -> new GroupCoordinator.CommitOffsets(noMember, committed, replyTo),
            settings.commitTimeout()))
        .thenApply(outcome -> {
          Errors error = outcome.error();
          if (error != Errors.NONE) {
            throw error.exception("committing for group " + group + ": " + error.message());
          }
          return Done.getInstance();
        });
  }

  /** Nothing to leave or release: reads and commits are single asks. */
  @Override
  public CompletionStage<Done> close(Duration timeout) {
    closed = true;
    return CompletableFuture.completedFuture(Done.getInstance());
  }
}
