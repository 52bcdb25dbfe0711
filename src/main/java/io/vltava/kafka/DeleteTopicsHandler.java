package io.vltava.kafka;

import io.vltava.controller.Controller;
import io.vltava.controller.TopicOutcome;
import io.vltava.metadata.TopicState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DeleteTopicsResponse;
import org.apache.kafka.common.requests.RequestHeader;

/** DeleteTopics, by name or (v6) by id: the controller removes them; each broker then deletes its logs. */
final class DeleteTopicsHandler implements ApiHandler {
  private final BrokerServices broker;

  DeleteTopicsHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.DELETE_TOPICS;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestHeader header, AbstractRequest request) {
    DeleteTopicsResponseData response = new DeleteTopicsResponseData();
    List<String> names = new ArrayList<>();
    for (DeleteTopicsRequestData.DeleteTopicState topic : ((DeleteTopicsRequest) request).topics()) {
      Optional<TopicState> known = broker.resolveTopic(topic.name(), topic.topicId());
      if (known.isPresent()) {
        names.add(known.get().name());
      } else {
        response.responses().add(new DeletableTopicResult().setName(topic.name()).setTopicId(topic.topicId())
            .setErrorCode(BrokerServices.unknownTopicError(topic.topicId()).code()));
      }
    }
    return broker.changeTopics(replyTo -> new Controller.DeleteTopics(names, replyTo))
        .thenApply(outcomes -> {
          for (TopicOutcome outcome : outcomes) {
            response.responses().add(new DeletableTopicResult().setName(outcome.name())
                .setTopicId(outcome.topic() == null ? Uuid.ZERO_UUID : BrokerServices.toKafka(outcome.topic().topicId()))
                .setErrorCode(outcome.errorCode()).setErrorMessage(outcome.errorMessage()));
          }
          return new DeleteTopicsResponse(response);
        });
  }
}
