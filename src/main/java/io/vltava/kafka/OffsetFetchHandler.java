package io.vltava.kafka;

import io.vltava.group.CommittedOffset;
import io.vltava.group.GroupCoordinator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopic;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.OffsetFetchResponse;
import org.apache.kafka.common.resource.ResourceType;

/**
 * OffsetFetch: the committed offsets of the requested partitions (-1 where none), or of every
 * partition the group committed (null topics); several groups per request from v8. Versions up to
 * 9: v10 names topics by id.
 */
final class OffsetFetchHandler implements ApiHandler {
  private static final int FIRST_BATCHED_VERSION = 8;

  private final BrokerServices broker;

  OffsetFetchHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.OFFSET_FETCH;
  }

  @Override
  public short latestVersion() {
    return 9;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    List<CompletableFuture<OffsetFetchResponseGroup>> groups = new ArrayList<>();
    for (OffsetFetchRequestGroup group : ((OffsetFetchRequest) request).groups()) {
      groups.add(broker.authorized(context, AclOperation.DESCRIBE, ResourceType.GROUP, group.groupId())
          ? fetch(context, group).toCompletableFuture()
          : CompletableFuture.completedFuture(new OffsetFetchResponseGroup().setGroupId(group.groupId())
              .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code())));
    }
    short version = context.apiVersion();
    return CompletableFuture.allOf(groups.toArray(CompletableFuture[]::new)).thenApply(done -> {
      OffsetFetchResponseData response = new OffsetFetchResponseData();
      List<OffsetFetchResponseGroup> answered = groups.stream().map(CompletableFuture::join).toList();
      if (version >= FIRST_BATCHED_VERSION) {
        response.setGroups(answered);
      } else {
        singleGroup(answered.get(0), response);
      }
      return new OffsetFetchResponse(response, version);
    });
  }

  private CompletionStage<OffsetFetchResponseGroup> fetch(RequestContext context, OffsetFetchRequestGroup group) {
    List<CommittedOffset.PartitionKey> wanted = null;
    if (group.topics() != null) {
      wanted = new ArrayList<>();
      for (OffsetFetchRequestTopics topic : group.topics()) {
        for (int partition : topic.partitionIndexes()) {
          wanted.add(new CommittedOffset.PartitionKey(topic.name(), partition));
        }
      }
    }
    List<CommittedOffset.PartitionKey> requested = wanted;
    return broker.<GroupCoordinator.FetchedOffsets>askGroup(group.groupId(),
            replyTo -> new GroupCoordinator.FetchOffsets(requested, replyTo), broker.requests().coordinatorTimeout())
        .handle((fetched, failure) -> {
          OffsetFetchResponseGroup answer = new OffsetFetchResponseGroup().setGroupId(group.groupId());
          if (failure != null) {
            return answer.setErrorCode(BrokerServices.groupError(failure).code());
          }
          Map<CommittedOffset.PartitionKey, CommittedOffset> byPartition = new HashMap<>();
          fetched.offsets().forEach(offset -> byPartition.put(offset.key(), offset));
          Map<String, OffsetFetchResponseTopics> topics = new LinkedHashMap<>();
          Map<String, Boolean> describable = new HashMap<>();
          for (CommittedOffset.PartitionKey key : requested == null ? List.copyOf(byPartition.keySet()) : requested) {
            boolean allowed = describable.computeIfAbsent(key.topic(),
                topic -> broker.authorizedOnTopic(context, AclOperation.DESCRIBE, topic));
            if (!allowed && requested == null) {
              continue; // as Kafka: all offsets means those of topics the principal may describe
            }
            CommittedOffset offset = allowed ? byPartition.get(key) : null;
            topics.computeIfAbsent(key.topic(), name -> new OffsetFetchResponseTopics().setName(name))
                .partitions().add(new OffsetFetchResponsePartitions()
                    .setPartitionIndex(key.partition())
                    .setErrorCode(allowed ? Errors.NONE.code() : Errors.TOPIC_AUTHORIZATION_FAILED.code())
                    .setCommittedOffset(offset == null ? -1 : offset.offset())
                    .setCommittedLeaderEpoch(offset == null ? -1 : offset.leaderEpoch())
                    .setMetadata(offset == null ? "" : offset.metadata()));
          }
          return answer.setTopics(new ArrayList<>(topics.values()));
        });
  }

  /** Before v8 the one group's answer is the top level of the response. */
  private static void singleGroup(OffsetFetchResponseGroup group, OffsetFetchResponseData response) {
    response.setErrorCode(group.errorCode());
    for (OffsetFetchResponseTopics topic : group.topics()) {
      OffsetFetchResponseTopic old = new OffsetFetchResponseTopic().setName(topic.name());
      for (OffsetFetchResponsePartitions p : topic.partitions()) {
        old.partitions().add(new OffsetFetchResponsePartition().setPartitionIndex(p.partitionIndex())
            .setCommittedOffset(p.committedOffset()).setCommittedLeaderEpoch(p.committedLeaderEpoch())
            .setMetadata(p.metadata()).setErrorCode(p.errorCode()));
      }
      response.topics().add(old);
    }
  }
}
