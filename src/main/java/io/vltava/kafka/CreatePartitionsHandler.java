package io.vltava.kafka;

import io.vltava.controller.Controller;
import io.vltava.controller.TopicOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
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

/** CreatePartitions (validate_only too): grows topics; the controller assigns the new partitions. */
final class CreatePartitionsHandler implements ApiHandler {
  private final BrokerServices broker;

  CreatePartitionsHandler(BrokerServices broker) {
    this.broker = broker;
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
    for (CreatePartitionsRequestData.CreatePartitionsTopic topic : data.topics()) {
      if (repeated.contains(topic.name())) {
        continue;
      }
      if (!broker.authorizedOnTopic(context, AclOperation.ALTER, topic.name())) {
        response.results().add(new CreatePartitionsTopicResult().setName(topic.name())
            .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setErrorMessage("Authorization failed."));
      } else if (topic.assignments() != null) {
        response.results().add(new CreatePartitionsTopicResult().setName(topic.name())
            .setErrorCode(Errors.INVALID_REPLICA_ASSIGNMENT.code())
            .setErrorMessage("Manual replica assignment is not supported."));
      } else {
        counts.add(new Controller.PartitionCount(topic.name(), topic.count()));
      }
    }
    return broker.changeTopics(replyTo -> new Controller.CreatePartitions(counts, data.validateOnly(), replyTo))
        .thenApply(outcomes -> {
          outcomes.forEach(outcome -> response.results().add(new CreatePartitionsTopicResult().setName(outcome.name())
              .setErrorCode(outcome.errorCode()).setErrorMessage(outcome.errorMessage())));
          return new CreatePartitionsResponse(response);
        });
  }
}
