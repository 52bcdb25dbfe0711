package io.vltava.kafka;

import io.vltava.group.CommittedOffset;
import io.vltava.group.GroupCoordinator;
import io.vltava.group.GroupProtocol;
import io.vltava.metadata.TopicState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.resource.ResourceType;

/**
 * OffsetCommit: the coordinator checks the member and generation, then stores the offsets durably
 * before answering. Partitions of unknown topics and oversized metadata are refused one by one.
 * Versions up to 9: v10 names topics by id.
 */
final class OffsetCommitHandler implements ApiHandler {
  /** Kafka's offset.metadata.max.bytes. */
  private static final int MAX_METADATA_CHARS = 4096;
  private static final short FIRST_VERSION_WITH_GROUP_ID_NOT_FOUND = 9;

  private final BrokerServices broker;

  OffsetCommitHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.OFFSET_COMMIT;
  }

  @Override
  public short latestVersion() {
    return 9;
  }

  /** One partition of the request with its response slot. */
  private record Slot(OffsetCommitRequestData.OffsetCommitRequestPartition request, OffsetCommitResponsePartition response) {}

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    if (!broker.authorized(context, AclOperation.READ, ResourceType.GROUP, ((OffsetCommitRequest) request).data().groupId())) {
      return BrokerServices.refused(request, Errors.GROUP_AUTHORIZATION_FAILED);
    }
    OffsetCommitRequestData data = ((OffsetCommitRequest) request).data();
    OffsetCommitResponseData response = new OffsetCommitResponseData();
    List<Slot> accepted = new ArrayList<>();
    List<CommittedOffset> offsets = new ArrayList<>();
    long nowMs = System.currentTimeMillis();
    for (OffsetCommitRequestData.OffsetCommitRequestTopic topic : data.topics()) {
      OffsetCommitResponseTopic topicResponse = new OffsetCommitResponseTopic().setName(topic.name());
      response.topics().add(topicResponse);
      Optional<TopicState> known = broker.cluster().topic(topic.name());
      boolean readable = broker.authorizedOnTopic(context, AclOperation.READ, topic.name());
      for (OffsetCommitRequestData.OffsetCommitRequestPartition p : topic.partitions()) {
        OffsetCommitResponsePartition slot = new OffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex());
        topicResponse.partitions().add(slot);
        if (!readable) {
          slot.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        } else if (known.isEmpty() || p.partitionIndex() < 0 || p.partitionIndex() >= known.get().partitionCount()) {
          slot.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        } else if (p.committedMetadata() != null && p.committedMetadata().length() > MAX_METADATA_CHARS) {
          slot.setErrorCode(Errors.OFFSET_METADATA_TOO_LARGE.code());
        } else {
          accepted.add(new Slot(p, slot));
          offsets.add(new CommittedOffset(topic.name(), p.partitionIndex(), p.committedOffset(),
              p.committedLeaderEpoch(), p.committedMetadata() == null ? "" : p.committedMetadata(), nowMs));
        }
      }
    }
    if (offsets.isEmpty()) {
      return CompletableFuture.completedFuture(new OffsetCommitResponse(response));
    }
    GroupProtocol.MemberGeneration member = new GroupProtocol.MemberGeneration(
        data.memberId(), data.groupInstanceId(), data.generationIdOrMemberEpoch());
    short version = context.apiVersion();
    return broker.<GroupCoordinator.Outcome>askGroup(data.groupId(),
            replyTo -> new GroupCoordinator.CommitOffsets(member, offsets, replyTo), broker.groups().settings().offsetsCommitTimeout())
        .handle((committed, failure) -> {
          Errors outcome = failure == null ? committed.error() : BrokerServices.groupError(failure);
          // Before v9 a group that does not exist is reported as ILLEGAL_GENERATION, as Kafka does.
          short error = outcome == Errors.GROUP_ID_NOT_FOUND && version < FIRST_VERSION_WITH_GROUP_ID_NOT_FOUND
              ? Errors.ILLEGAL_GENERATION.code() : outcome.code();
          accepted.forEach(slot -> slot.response().setErrorCode(error));
          return new OffsetCommitResponse(response);
        });
  }
}
