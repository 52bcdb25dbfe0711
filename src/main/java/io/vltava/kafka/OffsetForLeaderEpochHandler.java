package io.vltava.kafka;

import io.vltava.replica.EpochEnd;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;

/**
 * OffsetForLeaderEpoch: where a leader epoch ends in the leader's log (the largest epoch at most
 * the one asked, and the offset where the next began). Followers truncate to it after a leader
 * change (KIP-101); consumers use it to detect log truncation after an unclean election.
 */
final class OffsetForLeaderEpochHandler implements ApiHandler {
  private final BrokerServices broker;

  OffsetForLeaderEpochHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.OFFSET_FOR_LEADER_EPOCH;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    OffsetForLeaderEpochRequestData data = ((OffsetsForLeaderEpochRequest) request).data();
    OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData();
    // As Kafka: other nodes (CLUSTER_ACTION) may ask about every topic, clients about those they may describe.
    boolean clusterAction = broker.authorizedOnCluster(context, AclOperation.CLUSTER_ACTION);
    for (OffsetForLeaderEpochRequestData.OffsetForLeaderTopic topic : data.topics()) {
      OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult result =
          new OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult().setTopic(topic.topic());
      response.topics().add(result);
      boolean allowed = clusterAction || broker.authorizedOnTopic(context, AclOperation.DESCRIBE, topic.topic());
      for (OffsetForLeaderEpochRequestData.OffsetForLeaderPartition partition : topic.partitions()) {
        if (!allowed) {
          result.partitions().add(new EpochEndOffset().setPartition(partition.partition())
              .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
          continue;
        }
        result.partitions().add(endOffset(new TopicPartition(topic.topic(), partition.partition()), partition));
      }
    }
    return CompletableFuture.completedFuture(new OffsetsForLeaderEpochResponse(response));
  }

  private EpochEndOffset endOffset(TopicPartition partition, OffsetForLeaderEpochRequestData.OffsetForLeaderPartition request) {
    EpochEnd end = broker.replicas().endOffsetForEpoch(partition, request.currentLeaderEpoch(), request.leaderEpoch());
    return new EpochEndOffset().setPartition(partition.partition()).setErrorCode(end.error().code())
        .setLeaderEpoch(end.leaderEpoch()).setEndOffset(end.endOffset());
  }
}
