package io.vltava.replica;

import io.vltava.metadata.CborSerializable;
import io.vltava.metadata.MetadataCache;
import io.vltava.metadata.PartitionState;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The cluster-sharding entity of a partition, placed on the node of its elected leader by
 * {@link LeaderAllocationStrategy}: an {@code EntityRef} for "topic/partition" reaches the leader
 * from any node. It serves in-cluster clients by handing their requests to the local replica, and
 * checks it is still the elected leader, since a shard moves only on the next rebalance.
 *
 * <p>Failure policy: it holds no state, so an exception while handing a request on restarts it at
 * once (the asker's request times out and is retried); the replica's own errors, such as
 * KAFKA_STORAGE_ERROR from an offline log, reach the asker as answers.
 */
public final class PartitionLeader {
  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "partition");

  public sealed interface Command extends CborSerializable {}

  /** Starts the entity; sent by the leader's node whenever it learns it leads. */
  public enum Wake implements Command { INSTANCE }

  /** Which node serves this partition now. */
  public record WhoLeads(ActorRef<Leader> replyTo) implements Command {}

  public record Leader(int nodeId, int leaderEpoch) implements CborSerializable {}

  /** Appends Kafka v2 record batches, as Produce with acks=all does: answered once the in-sync replicas have them. */
  public record Append(byte[] batches, ActorRef<AppendOutcome> replyTo) implements Command {}

  /** Reads committed batches as Fetch does ({@code maxBytes} 0: only the bounds); keep it well below Artery's frame size. */
  public record Read(long offset, int maxBytes, ActorRef<ReadResult> replyTo) implements Command {}

  /** Whole batches from {@link Read}, and the partition's bounds when it was read. */
  public record ReadResult(Errors error, byte[] batches, long logStartOffset, long highWatermark) implements CborSerializable {}

  /** In-cluster clients read as consumers do: below the high watermark. */
  private static final int CONSUMER = -1;

  private PartitionLeader() {}

  public static String entityId(TopicPartition partition) {
    // '/' cannot occur in a topic name, so the id splits back unambiguously.
    return partition.topic() + "/" + partition.partition();
  }

  public static TopicPartition partitionOf(String entityId) {
    int slash = entityId.lastIndexOf('/');
    return new TopicPartition(entityId.substring(0, slash), Integer.parseInt(entityId.substring(slash + 1)));
  }

  static Behavior<Command> create(String entityId, ReplicaManager replicas, MetadataCache metadata, Duration appendTimeout) {
    TopicPartition partition = partitionOf(entityId);
    return Behaviors.supervise(serve(partition, replicas, metadata, appendTimeout))
        .onFailure(Exception.class, org.apache.pekko.actor.typed.SupervisorStrategy.restart());
  }

  private static Behavior<Command> serve(TopicPartition partition, ReplicaManager replicas, MetadataCache metadata, Duration appendTimeout) {
    return Behaviors.receive(Command.class)
        .onMessage(Wake.class, m -> Behaviors.same())
        .onMessage(WhoLeads.class, m -> {
          m.replyTo().tell(new Leader(metadata.localNodeId(), replicas.replica(partition).map(LocalReplica::leaderEpoch).orElse(-1)));
          return Behaviors.same();
        })
        .onMessage(Read.class, m -> {
          java.util.concurrent.CompletableFuture.supplyAsync(() -> read(partition, replicas, m), replicas.ioExecutor())
              .thenAccept(m.replyTo()::tell);
          return Behaviors.same();
        })
        .onMessage(Append.class, m -> {
          if (!leadsHere(partition, metadata)) {
            m.replyTo().tell(AppendOutcome.failed(Errors.NOT_LEADER_OR_FOLLOWER, "node " + metadata.localNodeId() + " no longer leads " + partition));
          } else {
            replicas.append(partition, MemoryRecords.readableRecords(ByteBuffer.wrap(m.batches())), appendTimeout)
                .thenCompose(appended -> replicas.awaitReplicated(partition, appended, appendTimeout))
                .thenAccept(m.replyTo()::tell);
          }
          return Behaviors.same();
        })
        .build();
  }

  private static ReadResult read(TopicPartition partition, ReplicaManager replicas, Read request) {
    PartitionRead read = replicas.read(partition, CONSUMER, request.offset(), -1, request.maxBytes(), true);
    ByteBuffer bytes = ((MemoryRecords) read.records()).buffer();
    byte[] batches = new byte[bytes.remaining()];
    bytes.duplicate().get(batches);
    return new ReadResult(read.error(), batches, read.logStartOffset(), read.highWatermark());
  }

  private static boolean leadsHere(TopicPartition partition, MetadataCache metadata) {
    return metadata.current().topic(partition.topic())
        .filter(t -> partition.partition() < t.partitionCount())
        .map(t -> t.partitions().get(partition.partition()))
        .map(PartitionState::leader)
        .filter(leader -> leader == metadata.localNodeId())
        .isPresent();
  }
}
