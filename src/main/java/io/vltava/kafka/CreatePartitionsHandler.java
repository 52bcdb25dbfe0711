package io.vltava.kafka;

import io.vltava.controller.Controller;
import io.vltava.controller.TopicOutcome;
import io.vltava.security.ControllerMutationQuota;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreatePartitionsResponse;

/**
 * CreatePartitions (validate_only too): grows topics; the controller assigns the new partitions.
 * Each new partition counts against the client's controller_mutation_rate, validated ones too (as
 * Kafka's controller counts them); from v3 a topic over the quota is refused with THROTTLING_QUOTA_EXCEEDED.
 */
final class CreatePartitionsHandler implements ApiHandler {
  private static final short FIRST_VERSION_WITH_STRICT_MUTATION_QUOTA = 3;
  private final BrokerServices broker;
  private final ClientThrottling throttling;

  CreatePartitionsHandler(BrokerServices broker, ClientThrottling throttling) {
    this.broker = broker;
    this.throttling = throttling;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.CREATE_PARTITIONS;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    CreatePartitionsRequestData data = ((CreatePartitionsRequest) request).data();
    CreatePartitionsResponseData response = new CreatePartitionsResponseData();
    List<Controller.PartitionCount> counts = new ArrayList<>();
    Set<String> repeated = Repeated.in(data.topics().stream().map(CreatePartitionsRequestData.CreatePartitionsTopic::name).toList());
    repeated.forEach(name -> response.results().add(new CreatePartitionsTopicResult().setName(name)
        .setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("Duplicate topic name.")));
    ControllerMutationQuota quota = throttling.controllerMutationQuota(context, FIRST_VERSION_WITH_STRICT_MUTATION_QUOTA);
    Map<String, Integer> mutations = new HashMap<>();
    for (CreatePartitionsRequestData.CreatePartitionsTopic topic : data.topics()) {
      if (repeated.contains(topic.name())) {
        continue;
      }
      // Only a growth mutates; the controller refuses the rest.
      int added = broker.resolveTopic(topic.name(), Uuid.ZERO_UUID)
          .map(known -> topic.count() - known.partitionCount()).orElse(0);
      if (!broker.authorizedOnTopic(context, AclOperation.ALTER, topic.name())) {
        response.results().add(new CreatePartitionsTopicResult().setName(topic.name())
            .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setErrorMessage("Authorization failed."));
      } else if (topic.assignments() != null) {
        response.results().add(new CreatePartitionsTopicResult().setName(topic.name())
            .setErrorCode(Errors.INVALID_REPLICA_ASSIGNMENT.code())
            .setErrorMessage("Manual replica assignment is not supported."));
      } else if (added > 0 && !quota.record(added, System.currentTimeMillis())) {
        response.results().add(new CreatePartitionsTopicResult().setName(topic.name())
            .setErrorCode(Errors.THROTTLING_QUOTA_EXCEEDED.code()).setErrorMessage(Errors.THROTTLING_QUOTA_EXCEEDED.message()));
      } else {
        mutations.put(topic.name(), Math.max(0, added));
        counts.add(new Controller.PartitionCount(topic.name(), topic.count()));
      }
    }
    return broker.changeTopics(replyTo -> new Controller.CreatePartitions(counts, data.validateOnly(), replyTo))
        .thenApply(outcomes -> {
          long nowMs = System.currentTimeMillis();
          outcomes.forEach(outcome -> {
            if (outcome.errorCode() != Errors.NONE.code()) {
              quota.unrecord(mutations.getOrDefault(outcome.name(), 0), nowMs);
            }
            response.results().add(new CreatePartitionsTopicResult().setName(outcome.name())
                .setErrorCode(outcome.errorCode()).setErrorMessage(outcome.errorMessage()));
          });
          response.setThrottleTimeMs((int) quota.throttleMs(nowMs));
          return new CreatePartitionsResponse(response);
        });
  }
}
