package io.vltava.replica;

import io.vltava.metadata.BrokerInfo;
import io.vltava.metadata.ClusterState;
import io.vltava.metadata.MetadataCache;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import org.apache.pekko.dispatch.Futures;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * Places each partition's shard (one shard per partition) on the node of its elected leader, as
 * the controller decided. With no live leader known yet (a node that just learned of a new topic
 * may ask before this one has, a leader may be being elected) the allocation waits for one up to
 * {@code leaderWait}, then fails and sharding retries later, rather than falling back to whichever
 * node asked. Rebalancing moves shards whose leader changed, but not off a departed broker.
 */
final class LeaderAllocationStrategy extends ShardCoordinator.AbstractShardAllocationStrategy {
  private final MetadataCache metadata;
  private final Address selfAddress;
  private final Duration leaderWait;

  LeaderAllocationStrategy(MetadataCache metadata, Address selfAddress, Duration leaderWait) {
    this.metadata = metadata;
    this.selfAddress = selfAddress;
    this.leaderWait = leaderWait;
  }

  @Override
  public Future<ActorRef> allocateShard(ActorRef requester, String shardId, Map<ActorRef, IndexedSeq<String>> current) {
    Optional<ActorRef> region = leaderRegion(shardId, metadata.current(), current);
    if (region.isPresent()) {
      return Futures.successful(region.get());
    }
    CompletableFuture<ActorRef> placed = new CompletableFuture<>();
    metadata.awaitState(state -> leaderRegion(shardId, state, current).isPresent())
        .orTimeout(leaderWait.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((state, timedOut) -> leaderRegion(shardId, state == null ? metadata.current() : state, current)
            .ifPresentOrElse(placed::complete, () -> placed.completeExceptionally(new NoLiveLeader(shardId))));
    return FutureConverters.asScala(placed);
  }

  /**
   * Why a shard was not placed. Sharding logs each failed allocation with its exception and retries;
   * while a cluster of thousands of partitions stops, that is thousands of lines, so no stack trace
   * (it would only show this class's timer).
   */
  static final class NoLiveLeader extends IllegalStateException {
    NoLiveLeader(String shardId) {
      super("partition " + shardId + " has no live leader to host it");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  @Override
  public Future<Set<String>> rebalance(Map<ActorRef, IndexedSeq<String>> current, Set<String> inProgress) {
    Set<String> misplaced = new HashSet<>();
    ClusterState state = metadata.current();
    current.forEach((region, shards) -> shards.foreach(shardId -> {
      Optional<ActorRef> leader = leaderRegion(shardId, state, current);
      // A departed broker's region cannot hand its shards off (the coordinator would wait out its
      // handoff timeout, a minute); sharding reallocates them once it drops that region.
      if (!inProgress.contains(shardId) && isBroker(region, state) && leader.isPresent() && !leader.get().equals(region)) {
        misplaced.add(shardId);
      }
      return null;
    }));
    return Futures.successful(misplaced);
  }

  private Optional<ActorRef> leaderRegion(String shardId, ClusterState state, Map<ActorRef, IndexedSeq<String>> current) {
    TopicPartition partition = PartitionLeader.partitionOf(shardId);
    Optional<String> leaderAddress = state.topic(partition.topic())
        .filter(t -> partition.partition() < t.partitionCount())
        .map(t -> t.partitions().get(partition.partition()).leader())
        .map(leader -> state.brokers().get(leader))
        .map(BrokerInfo::clusterAddress);
    return leaderAddress.flatMap(address ->
        current.keySet().stream().filter(region -> addressOf(region).equals(address)).findFirst());
  }

  private boolean isBroker(ActorRef region, ClusterState state) {
    String address = addressOf(region);
    return state.brokers().values().stream().anyMatch(broker -> broker.clusterAddress().equals(address));
  }

  private String addressOf(ActorRef region) {
    Address address = region.path().address();
    return (address.hasGlobalScope() ? address : selfAddress).toString();
  }
}
