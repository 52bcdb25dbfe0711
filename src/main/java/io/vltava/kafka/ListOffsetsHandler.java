package io.vltava.kafka;

import io.vltava.replica.ListedOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;

/**
 * ListOffsets: earliest, latest, max-timestamp and by-timestamp offsets, never above the high
 * watermark. The leader epoch goes into the answer only from v4, the first version that has it
 * (librdkafka and kafkajs ask at v2 and v3).
 */
final class ListOffsetsHandler implements ApiHandler {
  private static final short FIRST_VERSION_WITH_LEADER_EPOCH = 4;

  private final BrokerServices broker;

  ListOffsetsHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.LIST_OFFSETS;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    ListOffsetsRequestData data = ((ListOffsetsRequest) request).data();
    return CompletableFuture.supplyAsync(() -> {
      ListOffsetsResponseData response = new ListOffsetsResponseData();
      for (ListOffsetsRequestData.ListOffsetsTopic topic : data.topics()) {
        ListOffsetsResponseData.ListOffsetsTopicResponse topicResponse =
            new ListOffsetsResponseData.ListOffsetsTopicResponse().setName(topic.name());
        response.topics().add(topicResponse);
        boolean describable = broker.authorizedOnTopic(context, AclOperation.DESCRIBE, topic.name());
        for (ListOffsetsRequestData.ListOffsetsPartition partition : topic.partitions()) {
          if (!describable) {
            topicResponse.partitions().add(new ListOffsetsPartitionResponse().setPartitionIndex(partition.partitionIndex())
                .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
            continue;
          }
          topicResponse.partitions().add(lookUp(new TopicPartition(topic.name(), partition.partitionIndex()), partition,
              context.apiVersion() >= FIRST_VERSION_WITH_LEADER_EPOCH));
        }
      }
      return new ListOffsetsResponse(response);
    }, broker.replicas().ioExecutor());
  }

  private ListOffsetsPartitionResponse lookUp(
      TopicPartition partition, ListOffsetsRequestData.ListOffsetsPartition request, boolean carriesLeaderEpoch) {
    ListedOffset listed = broker.replicas().listOffset(partition, request.currentLeaderEpoch(), request.timestamp());
    ListOffsetsPartitionResponse response = new ListOffsetsPartitionResponse().setPartitionIndex(partition.partition())
        .setErrorCode(listed.error().code()).setOffset(listed.offset()).setTimestamp(listed.timestampMs());
    return carriesLeaderEpoch ? response.setLeaderEpoch(listed.leaderEpoch()) : response;
  }
}
