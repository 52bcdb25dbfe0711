package io.vltava.kafka;

import io.vltava.group.CommittedOffset;
import io.vltava.group.GroupCoordinator;
import io.vltava.metadata.TopicState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartition;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetDeleteRequest;
import org.apache.kafka.common.requests.OffsetDeleteResponse;
import org.apache.kafka.common.resource.ResourceType;

/**
 * OffsetDelete: removes committed offsets of topics the group's members do not subscribe to;
 * partitions of unknown topics are refused one by one, as Kafka does.
 */
final class OffsetDeleteHandler implements ApiHandler {

  private final BrokerServices broker;

  OffsetDeleteHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.OFFSET_DELETE;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    if (!broker.authorized(context, AclOperation.DELETE, ResourceType.GROUP, ((OffsetDeleteRequest) request).data().groupId())) {
      return BrokerServices.refused(request, Errors.GROUP_AUTHORIZATION_FAILED);
    }
    OffsetDeleteRequestData data = ((OffsetDeleteRequest) request).data();
    List<CommittedOffset.PartitionKey> partitions = new ArrayList<>();
    Set<CommittedOffset.PartitionKey> unknown = new HashSet<>();
    Set<String> unreadable = new HashSet<>();
    for (OffsetDeleteRequestData.OffsetDeleteRequestTopic topic : data.topics()) {
      Optional<TopicState> known = broker.cluster().topic(topic.name());
      if (!broker.authorizedOnTopic(context, AclOperation.READ, topic.name())) {
        unreadable.add(topic.name());
        continue;
      }
      for (OffsetDeleteRequestData.OffsetDeleteRequestPartition p : topic.partitions()) {
        CommittedOffset.PartitionKey key = new CommittedOffset.PartitionKey(topic.name(), p.partitionIndex());
        boolean exists = known.isPresent() && p.partitionIndex() >= 0 && p.partitionIndex() < known.get().partitionCount();
        (exists ? partitions : unknown).add(key);
      }
    }
    return broker.<GroupCoordinator.OffsetDeletion>askGroup(data.groupId(),
            replyTo -> new GroupCoordinator.DeleteOffsets(partitions, replyTo), broker.requests().coordinatorTimeout())
        .handle((deletion, failure) -> {
          OffsetDeleteResponseData response = new OffsetDeleteResponseData();
          Errors groupError = failure == null ? deletion.groupError() : BrokerServices.groupError(failure);
          if (groupError != Errors.NONE) {
            return new OffsetDeleteResponse(response.setErrorCode(groupError.code()));
          }
          for (OffsetDeleteRequestData.OffsetDeleteRequestTopic topic : data.topics()) {
            OffsetDeleteResponseTopic topicResponse = new OffsetDeleteResponseTopic().setName(topic.name());
            for (OffsetDeleteRequestData.OffsetDeleteRequestPartition p : topic.partitions()) {
              CommittedOffset.PartitionKey key = new CommittedOffset.PartitionKey(topic.name(), p.partitionIndex());
              Errors error = unreadable.contains(topic.name()) ? Errors.TOPIC_AUTHORIZATION_FAILED
                  : unknown.contains(key) ? Errors.UNKNOWN_TOPIC_OR_PARTITION
                  : deletion.subscribed().contains(key) ? Errors.GROUP_SUBSCRIBED_TO_TOPIC : Errors.NONE;
              topicResponse.partitions().add(new OffsetDeleteResponsePartition()
                  .setPartitionIndex(p.partitionIndex()).setErrorCode(error.code()));
            }
            response.topics().add(topicResponse);
          }
          return new OffsetDeleteResponse(response);
        });
  }
}
