package io.vltava.kafka;

import io.vltava.log.PartitionLog;
import io.vltava.replica.LocalReplica;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.FileRecords.TimestampAndOffset;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.RequestHeader;

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
  public CompletionStage<AbstractResponse> handle(RequestHeader header, AbstractRequest request) {
    ListOffsetsRequestData data = ((ListOffsetsRequest) request).data();
    return CompletableFuture.supplyAsync(() -> {
      ListOffsetsResponseData response = new ListOffsetsResponseData();
      for (ListOffsetsRequestData.ListOffsetsTopic topic : data.topics()) {
        ListOffsetsResponseData.ListOffsetsTopicResponse topicResponse =
            new ListOffsetsResponseData.ListOffsetsTopicResponse().setName(topic.name());
        response.topics().add(topicResponse);
        for (ListOffsetsRequestData.ListOffsetsPartition partition : topic.partitions()) {
          topicResponse.partitions().add(lookUp(new TopicPartition(topic.name(), partition.partitionIndex()), partition,
              header.apiVersion() >= FIRST_VERSION_WITH_LEADER_EPOCH));
        }
      }
      return new ListOffsetsResponse(response);
    }, broker.replicas().ioExecutor());
  }

  private ListOffsetsPartitionResponse lookUp(
      TopicPartition partition, ListOffsetsRequestData.ListOffsetsPartition request, boolean carriesLeaderEpoch) {
    long timestamp = request.timestamp();
    ListOffsetsPartitionResponse response = new ListOffsetsPartitionResponse()
        .setPartitionIndex(partition.partition()).setTimestamp(-1).setOffset(-1);
    Errors error = broker.replicas().leaderError(partition);
    Optional<LocalReplica> replica = broker.replicas().replica(partition);
    PartitionLog log = replica.map(LocalReplica::log).orElse(null);
    if (error == Errors.NONE && log != null) {
      error = BrokerServices.epochError(request.currentLeaderEpoch(), replica.get().leaderEpoch());
    }
    if (error != Errors.NONE || log == null) {
      return response.setErrorCode((error == Errors.NONE ? Errors.LEADER_NOT_AVAILABLE : error).code());
    }
    long highWatermark = replica.get().highWatermark();
    if (carriesLeaderEpoch) {
      response.setLeaderEpoch(replica.get().leaderEpoch());
    }
    try {
      if (timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP || timestamp == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
        return response.setOffset(log.logStartOffset());
      }
      if (timestamp == ListOffsetsRequest.LATEST_TIMESTAMP) {
        return response.setOffset(highWatermark);
      }
      if (timestamp == ListOffsetsRequest.LATEST_TIERED_TIMESTAMP
          || timestamp == ListOffsetsRequest.EARLIEST_PENDING_UPLOAD_TIMESTAMP) {
        // As Kafka without tiered storage: nothing is tiered or pending upload.
        return response;
      }
      Optional<TimestampAndOffset> found;
      if (timestamp == ListOffsetsRequest.MAX_TIMESTAMP) {
        found = log.offsetOfMaxTimestamp();
      } else if (timestamp >= 0) {
        found = log.offsetForTimestamp(timestamp);
      } else {
        return response.setErrorCode(Errors.UNSUPPORTED_VERSION.code());
      }
      found.filter(f -> f.offset < highWatermark).ifPresent(f -> response.setOffset(f.offset).setTimestamp(f.timestamp));
      return response;
    } catch (IOException | RuntimeException e) {
      return response.setErrorCode(Errors.forException(e).code());
    }
  }
}
