package io.vltava.kafka;

import io.vltava.replica.ListedOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.RequestHeader;

/** ListOffsets: earliest, latest, max-timestamp and by-timestamp offsets, never above the high watermark. */
final class ListOffsetsHandler implements ApiHandler {
  private final BrokerServices broker;

  ListOffsetsHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.LIST_OFFSETS;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestHeader header, AbstractRequest request) {
    ListOffsetsRequestData data = ((ListOffsetsRequest) request).data();
    return CompletableFuture.supplyAsync(() -> {
      ListOffsetsResponseData response = new ListOffsetsResponseData();
      for (ListOffsetsRequestData.ListOffsetsTopic topic : data.topics()) {
        ListOffsetsResponseData.ListOffsetsTopicResponse topicResponse =
            new ListOffsetsResponseData.ListOffsetsTopicResponse().setName(topic.name());
        response.topics().add(topicResponse);
        for (ListOffsetsRequestData.ListOffsetsPartition partition : topic.partitions()) {
          topicResponse.partitions().add(lookUp(new TopicPartition(topic.name(), partition.partitionIndex()), partition.timestamp()));
        }
      }
      return new ListOffsetsResponse(response);
    }, broker.replicas().ioExecutor());
  }

  private ListOffsetsPartitionResponse lookUp(TopicPartition partition, long timestamp) {
    ListedOffset listed = broker.replicas().listOffset(partition, timestamp);
    return new ListOffsetsPartitionResponse().setPartitionIndex(partition.partition()).setErrorCode(listed.error().code())
        .setOffset(listed.offset()).setTimestamp(listed.timestampMs()).setLeaderEpoch(listed.leaderEpoch());
  }
}
