package io.vltava.kafka;

import io.vltava.metadata.PartitionState;
import io.vltava.metadata.TopicState;
import io.vltava.replica.AppendOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;

/**
 * Produce: appends each partition's batches through its replica and answers with the offsets.
 * acks=0 gets no response; acks=1 and acks=-1 answer once the append is done.
 */
final class ProduceHandler implements ApiHandler {
  private static final short FIRST_VERSION_WITH_STORAGE_ERROR = 4;
  private static final short FIRST_VERSION_WITH_LEADER_HINTS = 10;

  private final BrokerServices broker;

  ProduceHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.PRODUCE;
  }

  /** librdkafka disables compression unless Produce v0 is advertised; v0–2 still fail to parse and close the connection. */
  @Override
  public short oldestVersion() {
    return 0;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    ProduceRequestData data = ((ProduceRequest) request).data();
    Map<String, Boolean> writable = new HashMap<>();
    Predicate<String> mayWrite = name -> writable.computeIfAbsent(name,
        topic -> broker.authorizedOnTopic(context, AclOperation.WRITE, topic));
    Set<String> missing = new LinkedHashSet<>();
    for (ProduceRequestData.TopicProduceData topic : data.topicData()) {
      if (topic.name() != null && !topic.name().isEmpty() && Topic.isValid(topic.name())
          && broker.cluster().topic(topic.name()).isEmpty() && mayWrite.test(topic.name())) {
        missing.add(topic.name());
      }
    }
    if (missing.isEmpty()) {
      // Appends are handed to the partitions on this thread, so pipelined produces on one connection
      // reach each partition in request order (an async hop here could reorder them).
      return produce(data, context, mayWrite);
    }
    return broker.autoCreate(context, missing)
        .thenComposeAsync(created -> produce(data, context, mayWrite), broker.executor());
  }

  private CompletionStage<AbstractResponse> produce(ProduceRequestData data, RequestContext context, Predicate<String> mayWrite) {
    short version = context.apiVersion();
    short acks = data.acks();
    Duration timeout = Duration.ofMillis(Math.max(1, data.timeoutMs()));
    ProduceResponseData response = new ProduceResponseData();
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    List<LeaderHint> leaderHints = new ArrayList<>();
    for (ProduceRequestData.TopicProduceData topicData : data.topicData()) {
      ProduceResponseData.TopicProduceResponse topicResponse = new ProduceResponseData.TopicProduceResponse()
          .setName(topicData.name()).setTopicId(topicData.topicId());
      response.responses().add(topicResponse);
      Optional<TopicState> topic = broker.resolveTopic(topicData.name(), topicData.topicId());
      for (ProduceRequestData.PartitionProduceData partitionData : topicData.partitionData()) {
        PartitionProduceResponse partitionResponse = new PartitionProduceResponse()
            .setIndex(partitionData.index()).setBaseOffset(ProduceResponse.INVALID_OFFSET);
        topicResponse.partitionResponses().add(partitionResponse);
        Errors error = validate(version, acks, topic, topicData, partitionData, mayWrite);
        if (error != Errors.NONE) {
          partitionResponse.setErrorCode(error.code());
          continue;
        }
        TopicPartition partition = new TopicPartition(topic.get().name(), partitionData.index());
        MemoryRecords records = (MemoryRecords) partitionData.records();
        int sizeBytes = records.sizeInBytes();
        pending.add(broker.replicas()
            .append(partition, records, timeout)
            .thenCompose(outcome -> {
              countAppended(partition, outcome, sizeBytes);
              return acks == -1
                  ? broker.replicas().awaitReplicated(partition, outcome, timeout)
                  : CompletableFuture.completedFuture(outcome);
            })
            .thenAccept(outcome -> fill(partitionResponse, outcome, version))
            .toCompletableFuture());
        leaderHints.add(new LeaderHint(partition, partitionResponse));
      }
    }
    if (acks == 0) {
      return CompletableFuture.completedFuture(null);
    }
    return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
        .thenApply(done -> {
          if (version >= FIRST_VERSION_WITH_LEADER_HINTS) {
            leaderHints.forEach(hint -> hint.applyTo(response, broker, context.connection().listenerName()));
          }
          return new ProduceResponse(response);
        });
  }

  /** Counted at the leader's append, as Kafka does, whatever replication makes of it; a retried duplicate is not. */
  private void countAppended(TopicPartition partition, AppendOutcome outcome, int sizeBytes) {
    if (outcome.error() == Errors.NONE && !outcome.info().duplicate()) {
      broker.metrics().messagesIn(partition.topic(), outcome.info().lastOffset() - outcome.info().firstOffset() + 1, sizeBytes);
    }
  }

  /** A partition whose answer, if NOT_LEADER_OR_FOLLOWER, should name the current leader (v10+, KIP-951). */
  private record LeaderHint(TopicPartition partition, PartitionProduceResponse response) {
    void applyTo(ProduceResponseData data, BrokerServices broker, String listenerName) {
      if (response.errorCode() != Errors.NOT_LEADER_OR_FOLLOWER.code()) {
        return;
      }
      broker.currentLeader(partition).ifPresent(leader -> {
        response.setCurrentLeader(new ProduceResponseData.LeaderIdAndEpoch()
            .setLeaderId(leader.broker().nodeId()).setLeaderEpoch(leader.leaderEpoch()));
        leader.broker().endpoint(listenerName).filter(endpoint -> data.nodeEndpoints().find(leader.broker().nodeId()) == null)
            .ifPresent(endpoint -> data.nodeEndpoints().add(new ProduceResponseData.NodeEndpoint()
                .setNodeId(leader.broker().nodeId()).setHost(endpoint.host()).setPort(endpoint.port())));
      });
    }
  }

  private Errors validate(
      short version, short acks, Optional<TopicState> topic, ProduceRequestData.TopicProduceData topicData,
      ProduceRequestData.PartitionProduceData partitionData, Predicate<String> mayWrite) {
    if (acks != 0 && acks != 1 && acks != -1) {
      return Errors.INVALID_REQUIRED_ACKS;
    }
    // As Kafka: refused before its existence is told, so a principal cannot probe for topic names.
    String name = topic.map(TopicState::name).orElse(topicData.name());
    if (name != null && !name.isEmpty() && !mayWrite.test(name)) {
      return Errors.TOPIC_AUTHORIZATION_FAILED;
    }
    if (topic.isEmpty()) {
      return topicData.name() != null && !topicData.name().isEmpty() && !Topic.isValid(topicData.name())
          ? Errors.INVALID_TOPIC_EXCEPTION
          : BrokerServices.unknownTopicError(topicData.topicId());
    }
    if (partitionData.index() < 0 || partitionData.index() >= topic.get().partitionCount()) {
      return Errors.UNKNOWN_TOPIC_OR_PARTITION;
    }
    if (BrokerServices.isInternalTopic(topic.get().name())) {
      return Errors.INVALID_TOPIC_EXCEPTION; // as Kafka: only the broker itself writes there
    }
    if (!(partitionData.records() instanceof MemoryRecords)) {
      return Errors.CORRUPT_MESSAGE;
    }
    try {
      // Kafka's own checks: exactly one batch, magic 2, no zstd before v7.
      ProduceRequest.validateRecords(version, partitionData.records());
    } catch (ApiException e) {
      return Errors.forException(e);
    } catch (RuntimeException e) {
      // kafka-clients' batch iterator throws plain exceptions on some corrupt headers (a batch
      // length near 2^31 overflows, an unknown compression id): the batch is corrupt, not the broker.
      return Errors.CORRUPT_MESSAGE;
    }
    PartitionState state = topic.get().partitions().get(partitionData.index());
    if (acks == -1 && state.isr().size() < broker.topicConfigs().minInsyncReplicas(topic.get().configs())) {
      return Errors.NOT_ENOUGH_REPLICAS;
    }
    return Errors.NONE;
  }

  private static void fill(PartitionProduceResponse response, AppendOutcome outcome, short version) {
    response.setErrorCode(BrokerServices.replicaErrorFor(outcome.error(), version, FIRST_VERSION_WITH_STORAGE_ERROR).code()).setErrorMessage(outcome.errorMessage());
    if (outcome.info() != null) {
      response.setBaseOffset(outcome.info().firstOffset())
          .setLogAppendTimeMs(outcome.info().logAppendTimeMs())
          .setLogStartOffset(outcome.info().logStartOffset());
    }
  }
}
