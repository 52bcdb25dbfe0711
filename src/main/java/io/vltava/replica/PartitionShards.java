package io.vltava.replica;

import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;

/** One shard per partition: the shard id is the entity id, so each leader entity is placed on its own. */
final class PartitionShards extends ShardingMessageExtractor<ShardingEnvelope<PartitionLeader.Command>, PartitionLeader.Command> {
  @Override
  public String entityId(ShardingEnvelope<PartitionLeader.Command> envelope) {
    return envelope.entityId();
  }

  @Override
  public String shardId(String entityId) {
    return entityId;
  }

  @Override
  public PartitionLeader.Command unwrapMessage(ShardingEnvelope<PartitionLeader.Command> envelope) {
    return envelope.message();
  }
}
