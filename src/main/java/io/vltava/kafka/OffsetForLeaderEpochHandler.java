package io.vltava.kafka;

import io.vltava.replica.EpochEnd;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.protocol.ApiKeys;
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
    for (OffsetForLeaderEpochRequestData.OffsetForLeaderTopic topic : data.topics()) {
      OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult result =
          new OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult().setTopic(topic.topic());
      response.topics().add(result);
      for (OffsetForLeaderEpochRequestData.OffsetForLeaderPartition partition : topic.partitions()) {
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
