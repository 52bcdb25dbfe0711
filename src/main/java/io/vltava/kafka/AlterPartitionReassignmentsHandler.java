package io.vltava.kafka;

import io.vltava.controller.Controller;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignableTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsRequest;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsResponse;

/**
 * AlterPartitionReassignments (v0–1): starts, replaces or (null replicas) cancels partition moves.
 * The controller records each move; the brokers then carry it out, and ListPartitionReassignments
 * shows it until every target replica is in sync and the move completes.
 */
final class AlterPartitionReassignmentsHandler implements ApiHandler {
  private final BrokerServices broker;

  AlterPartitionReassignmentsHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.ALTER_PARTITION_REASSIGNMENTS;
  }

  @Override
  public short oldestVersion() {
    return 0;
  }

  @Override
  public short latestVersion() {
    return 1;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    if (!broker.authorizedOnCluster(context, AclOperation.ALTER)) {
      return BrokerServices.refused(request, Errors.CLUSTER_AUTHORIZATION_FAILED);
    }
    AlterPartitionReassignmentsRequestData data = ((AlterPartitionReassignmentsRequest) request).data();
    List<Controller.PartitionMove> moves = new ArrayList<>();
    data.topics().forEach(topic -> topic.partitions().forEach(partition ->
        moves.add(new Controller.PartitionMove(topic.name(), partition.partitionIndex(), partition.replicas()))));
    return broker.changeMetadata(replyTo -> new Controller.AlterPartitionReassignments(moves, data.allowReplicationFactorChange(), replyTo))
        .thenApply(outcomes -> {
          AlterPartitionReassignmentsResponseData response = new AlterPartitionReassignmentsResponseData();
          if (context.apiVersion() >= 1) {
            response.setAllowReplicationFactorChange(data.allowReplicationFactorChange());
          }
          int next = 0;
          for (AlterPartitionReassignmentsRequestData.ReassignableTopic topic : data.topics()) {
            ReassignableTopicResponse topicResponse = new ReassignableTopicResponse().setName(topic.name());
            for (AlterPartitionReassignmentsRequestData.ReassignablePartition partition : topic.partitions()) {
              Controller.Outcome outcome = outcomes.get(next++);
              topicResponse.partitions().add(new ReassignablePartitionResponse().setPartitionIndex(partition.partitionIndex())
                  .setErrorCode(outcome.errorCode()).setErrorMessage(outcome.errorMessage()));
            }
            response.responses().add(topicResponse);
          }
          return new AlterPartitionReassignmentsResponse(response);
        });
  }
}
