package io.vltava.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.DeleteRecordsResponse;

/** DeleteRecords: advances each partition's log start offset; returns the new low watermark. */
final class DeleteRecordsHandler implements ApiHandler {
  private final BrokerServices broker;

  DeleteRecordsHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.DELETE_RECORDS;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    DeleteRecordsRequestData data = ((DeleteRecordsRequest) request).data();
    Duration timeout = Duration.ofMillis(Math.max(1, data.timeoutMs()));
    DeleteRecordsResponseData response = new DeleteRecordsResponseData();
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    for (DeleteRecordsRequestData.DeleteRecordsTopic topic : data.topics()) {
      DeleteRecordsResponseData.DeleteRecordsTopicResult topicResult =
          new DeleteRecordsResponseData.DeleteRecordsTopicResult().setName(topic.name());
      response.topics().add(topicResult);
      boolean deletable = broker.authorizedOnTopic(context, AclOperation.DELETE, topic.name());
      for (DeleteRecordsRequestData.DeleteRecordsPartition partition : topic.partitions()) {
        DeleteRecordsPartitionResult result = new DeleteRecordsPartitionResult()
            .setPartitionIndex(partition.partitionIndex()).setLowWatermark(-1);
        topicResult.partitions().add(result);
        if (!deletable) {
          result.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
          continue;
        }
        if (BrokerServices.isInternalTopic(topic.name())) {
          result.setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code()); // as Kafka: only the broker removes records there
          continue;
        }
        pending.add(broker.replicas()
            .deleteRecordsBefore(new TopicPartition(topic.name(), partition.partitionIndex()), partition.offset(), timeout)
            .thenAccept(outcome -> {
              result.setErrorCode(outcome.error().code());
              if (outcome.info() != null) {
                result.setLowWatermark(outcome.info().logStartOffset());
              }
            })
            .toCompletableFuture());
      }
    }
    return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
        .thenApply(done -> new DeleteRecordsResponse(response));
  }
}
