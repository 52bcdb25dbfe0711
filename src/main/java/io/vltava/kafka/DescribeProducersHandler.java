package io.vltava.kafka;

import io.vltava.replica.ReplicaManager.ActiveProducers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse;
import org.apache.kafka.common.message.DescribeProducersResponseData.ProducerState;
import org.apache.kafka.common.message.DescribeProducersResponseData.TopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeProducersRequest;
import org.apache.kafka.common.requests.DescribeProducersResponse;

/**
 * DescribeProducers ({@code kafka-transactions describe-producers}): the partition leader's active
 * idempotent producers. Without transactions there is no coordinator epoch and no open
 * transaction, so those fields are -1. A partition this node does not lead gets
 * NOT_LEADER_OR_FOLLOWER; one that does not exist UNKNOWN_TOPIC_OR_PARTITION.
 */
final class DescribeProducersHandler implements ApiHandler {

  private final BrokerServices broker;

  DescribeProducersHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.DESCRIBE_PRODUCERS;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    DescribeProducersRequestData data = ((DescribeProducersRequest) request).data();
    DescribeProducersResponseData response = new DescribeProducersResponseData();
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    for (DescribeProducersRequestData.TopicRequest topic : data.topics()) {
      TopicResponse topicResponse = new TopicResponse().setName(topic.name());
      response.topics().add(topicResponse);
      boolean readable = broker.authorizedOnTopic(context, AclOperation.READ, topic.name());
      for (int partitionIndex : topic.partitionIndexes()) {
        PartitionResponse partition = new PartitionResponse().setPartitionIndex(partitionIndex);
        topicResponse.partitions().add(partition);
        if (!readable) {
          partition.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
          continue;
        }
        pending.add(broker.replicas().activeProducers(new TopicPartition(topic.name(), partitionIndex), broker.requests().replicaWriterTimeout())
            .toCompletableFuture()
            .exceptionally(failure -> new ActiveProducers(Errors.REQUEST_TIMED_OUT, List.of()))
            .thenAccept(producers -> fill(partition, producers)));
      }
    }
    return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
        .thenApply(done -> new DescribeProducersResponse(response));
  }

  private static void fill(PartitionResponse partition, ActiveProducers producers) {
    partition.setErrorCode(producers.error().code());
    if (producers.error() != Errors.NONE) {
      partition.setErrorMessage(producers.error().message());
      return;
    }
    for (ActiveProducers.Producer producer : producers.producers()) {
      partition.activeProducers().add(new ProducerState()
          .setProducerId(producer.producerId())
          .setProducerEpoch(producer.producerEpoch())
          .setLastSequence(producer.lastSequence())
          .setLastTimestamp(producer.lastTimestampMs())
          .setCoordinatorEpoch(-1)
          .setCurrentTxnStartOffset(-1));
    }
  }
}
