package io.vltava.kafka;

import io.vltava.log.LeaderEpochCache;
import io.vltava.log.PartitionLog;
import io.vltava.replica.LocalReplica;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.apache.kafka.common.requests.RequestHeader;

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
  public CompletionStage<AbstractResponse> handle(RequestHeader header, AbstractRequest request) {
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
    EpochEndOffset answer = new EpochEndOffset().setPartition(partition.partition())
        .setLeaderEpoch(LeaderEpochCache.UNDEFINED_EPOCH).setEndOffset(LeaderEpochCache.UNDEFINED_EPOCH_OFFSET);
    Errors error = broker.replicas().leaderError(partition);
    Optional<LocalReplica> replica = broker.replicas().replica(partition);
    PartitionLog log = replica.map(LocalReplica::log).orElse(null);
    if (error == Errors.NONE && log != null) {
      error = BrokerServices.epochError(request.currentLeaderEpoch(), replica.get().leaderEpoch());
    }
    if (error != Errors.NONE || log == null) {
      return answer.setErrorCode((error == Errors.NONE ? Errors.LEADER_NOT_AVAILABLE : error).code());
    }
    LeaderEpochCache.EpochEndOffset end = log.leaderEpochCache().endOffsetFor(request.leaderEpoch());
    return answer.setLeaderEpoch(end.epoch()).setEndOffset(end.endOffset());
  }
}
