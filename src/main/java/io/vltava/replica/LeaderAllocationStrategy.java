package io.vltava.replica;

import io.vltava.metadata.BrokerInfo;
import io.vltava.metadata.ClusterState;
import io.vltava.metadata.MetadataCache;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import org.apache.pekko.dispatch.Futures;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;

/**
 * Places each partition's shard (one shard per partition) on the node of its elected leader, as
 * the controller decided. With no live leader the allocation fails and sharding retries later,
 * rather than falling back to whichever node asked. Rebalancing moves shards whose leader changed.
 */
final class LeaderAllocationStrategy extends ShardCoordinator.AbstractShardAllocationStrategy {
  private final MetadataCache metadata;
  private final Address selfAddress;

  LeaderAllocationStrategy(MetadataCache metadata, Address selfAddress) {
    this.metadata = metadata;
    this.selfAddress = selfAddress;
  }

  @Override
  public Future<ActorRef> allocateShard(ActorRef requester, String shardId, Map<ActorRef, IndexedSeq<String>> current) {
    Optional<ActorRef> region = leaderRegion(shardId, current);
    return region.isPresent()
        ? Futures.successful(region.get())
        : Futures.failed(new IllegalStateException("partition " + shardId + " has no live leader to host it"));
  }

  @Override
  public Future<Set<String>> rebalance(Map<ActorRef, IndexedSeq<String>> current, Set<String> inProgress) {
    Set<String> misplaced = new HashSet<>();
    current.forEach((region, shards) -> shards.foreach(shardId -> {
      Optional<ActorRef> leader = leaderRegion(shardId, current);
      if (!inProgress.contains(shardId) && leader.isPresent() && !leader.get().equals(region)) {
        misplaced.add(shardId);
      }
      return null;
    }));
    return Futures.successful(misplaced);
  }

  private Optional<ActorRef> leaderRegion(String shardId, Map<ActorRef, IndexedSeq<String>> current) {
    TopicPartition partition = PartitionLeader.partitionOf(shardId);
    ClusterState state = metadata.current();
    Optional<String> leaderAddress = state.topic(partition.topic())
        .filter(t -> partition.partition() < t.partitionCount())
        .map(t -> t.partitions().get(partition.partition()).leader())
        .map(leader -> state.brokers().get(leader))
        .map(BrokerInfo::clusterAddress);
    return leaderAddress.flatMap(address ->
        current.keySet().stream().filter(region -> addressOf(region).equals(address)).findFirst());
  }

  private String addressOf(ActorRef region) {
    Address address = region.path().address();
    return (address.hasGlobalScope() ? address : selfAddress).toString();
  }
}
