package io.vltava.kafka;

import io.vltava.metadata.TopicState;
import io.vltava.replica.PartitionRead;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetch: whole batches below each partition's high watermark, bounded by the request's byte limits.
 * A fetch that finds fewer than min_bytes waits up to max_wait_ms for new data, then reads again.
 * Fetch sessions are refused (session id 0), so clients send full fetches.
 */
final class FetchHandler implements ApiHandler {
  private static final Logger log = LoggerFactory.getLogger(FetchHandler.class);

  private final BrokerServices broker;

  FetchHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.FETCH;
  }

  /** One partition of the request, with the slot of the response it fills. */
  private static final short FIRST_VERSION_WITH_CURRENT_LEADER = 12;
  private static final short FIRST_VERSION_WITH_NODE_ENDPOINTS = 16;

  private record Wanted(TopicPartition partition, FetchRequestData.FetchPartition request, PartitionData response) {}

  /** Who fetches: a consumer reads below the high watermark; a follower (replica id >= 0) reads the whole log and reports its position. */
  private record Fetcher(int replicaId) {
    boolean isFollower() {
      return replicaId >= 0;
    }
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestHeader header, AbstractRequest request) {
    FetchRequestData data = ((FetchRequest) request).data();
    Fetcher fetcher = new Fetcher(((FetchRequest) request).replicaId());
    FetchResponseData response = new FetchResponseData().setSessionId(0);
    if (data.sessionId() != 0) {
      return CompletableFuture.completedFuture(
          FetchResponse.of(response.setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code())));
    }
    List<Wanted> wanted = new ArrayList<>();
    for (FetchRequestData.FetchTopic topicData : data.topics()) {
      FetchResponseData.FetchableTopicResponse topicResponse = new FetchResponseData.FetchableTopicResponse()
          .setTopic(topicData.topic()).setTopicId(topicData.topicId());
      response.responses().add(topicResponse);
      Optional<TopicState> topic = broker.resolveTopic(topicData.topic(), topicData.topicId());
      for (FetchRequestData.FetchPartition partitionData : topicData.partitions()) {
        PartitionData partitionResponse = new PartitionData().setPartitionIndex(partitionData.partition());
        topicResponse.partitions().add(partitionResponse);
        if (topic.isEmpty()) {
          empty(partitionResponse, BrokerServices.unknownTopicError(topicData.topicId()));
        } else {
          wanted.add(new Wanted(new TopicPartition(topic.get().name(), partitionData.partition()), partitionData, partitionResponse));
        }
      }
    }
    return CompletableFuture
        .supplyAsync(() -> readAll(fetcher, wanted, data.maxBytes()), broker.replicas().ioExecutor())
        .thenCompose(bytesRead -> {
          if (bytesRead >= data.minBytes() || data.maxWaitMs() <= 0 || wanted.isEmpty() || anyError(wanted)) {
            return CompletableFuture.completedFuture(bytesRead);
          }
          return broker.replicas()
              .awaitData(wanted.stream().map(Wanted::partition).toList(), Duration.ofMillis(data.maxWaitMs()))
              .thenApplyAsync(arrived -> readAll(fetcher, wanted, data.maxBytes()), broker.replicas().ioExecutor());
        })
        .thenApply(bytesRead -> {
          wanted.forEach(w -> pointAtLeader(w, response, header.apiVersion()));
          return FetchResponse.of(response);
        });
  }

  /** Fills every partition's slot; returns the bytes of records read. */
  private int readAll(Fetcher fetcher, List<Wanted> wanted, int responseMaxBytes) {
    int remaining = responseMaxBytes;
    int total = 0;
    for (Wanted w : wanted) {
      int read = read(fetcher, w, remaining <= 0 ? 0 : Math.min(remaining, w.request().partitionMaxBytes()));
      remaining -= read;
      total += read;
    }
    return total;
  }

  private int read(Fetcher fetcher, Wanted w, int maxBytes) {
    PartitionRead read = broker.replicas().read(
        w.partition(), fetcher.replicaId(), w.request().fetchOffset(), w.request().currentLeaderEpoch(), maxBytes);
    w.response().setErrorCode(read.error().code()).setHighWatermark(read.highWatermark())
        .setLastStableOffset(read.highWatermark()).setLogStartOffset(read.logStartOffset()).setRecords(read.records());
    return read.sizeInBytes();
  }

  /**
   * A NOT_LEADER_OR_FOLLOWER answer names the current leader (from v12) and its endpoint (from v16,
   * KIP-951); earlier versions cannot carry them (followers fetch at v12).
   */
  private void pointAtLeader(Wanted w, FetchResponseData response, short version) {
    if (w.response().errorCode() != Errors.NOT_LEADER_OR_FOLLOWER.code() || version < FIRST_VERSION_WITH_CURRENT_LEADER) {
      return;
    }
    broker.currentLeader(w.partition()).ifPresent(leader -> {
      w.response().setCurrentLeader(new FetchResponseData.LeaderIdAndEpoch()
          .setLeaderId(leader.broker().nodeId()).setLeaderEpoch(leader.leaderEpoch()));
      if (version >= FIRST_VERSION_WITH_NODE_ENDPOINTS && response.nodeEndpoints().find(leader.broker().nodeId()) == null) {
        response.nodeEndpoints().add(new FetchResponseData.NodeEndpoint()
            .setNodeId(leader.broker().nodeId()).setHost(leader.broker().host()).setPort(leader.broker().port()));
      }
    });
  }

  private static boolean anyError(List<Wanted> wanted) {
    return wanted.stream().anyMatch(w -> w.response().errorCode() != Errors.NONE.code());
  }

  private static void empty(PartitionData response, Errors error) {
    response.setErrorCode(error.code()).setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1)
        .setRecords(MemoryRecords.EMPTY);
  }
}
