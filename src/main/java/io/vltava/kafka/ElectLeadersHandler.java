package io.vltava.kafka;

import io.vltava.controller.Controller;
import io.vltava.metadata.RequestedElections;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ElectLeadersResponseData.PartitionResult;
import org.apache.kafka.common.message.ElectLeadersResponseData.ReplicaElectionResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ElectLeadersRequest;
import org.apache.kafka.common.requests.ElectLeadersResponse;

/**
 * ElectLeaders ({@code kafka-leader-election}): preferred or unclean elections, decided by the
 * controller ({@link RequestedElections}); answered once this node's metadata shows the new leaders.
 * A request without partitions elects for every partition and reports only those that needed it.
 */
final class ElectLeadersHandler implements ApiHandler {
  private final BrokerServices broker;

  ElectLeadersHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.ELECT_LEADERS;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    if (!broker.authorizedOnCluster(context, AclOperation.ALTER)) {
      return BrokerServices.refused(request, Errors.CLUSTER_AUTHORIZATION_FAILED);
    }
    ElectLeadersRequestData data = ((ElectLeadersRequest) request).data();
    RequestedElections.Type type;
    try {
      type = ElectionType.valueOf(data.electionType()) == ElectionType.UNCLEAN
          ? RequestedElections.Type.UNCLEAN : RequestedElections.Type.PREFERRED;
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(request.getErrorResponse(
          new org.apache.kafka.common.errors.InvalidRequestException("Unknown election type " + data.electionType() + ".")));
    }
    boolean all = data.topicPartitions() == null;
    List<RequestedElections.PartitionId> partitions = new ArrayList<>();
    if (!all) {
      data.topicPartitions().forEach(topic -> topic.partitions()
          .forEach(partition -> partitions.add(new RequestedElections.PartitionId(topic.topic(), partition))));
    }
    return broker.<Controller.LeadersElected>askControllerAndSee(
            replyTo -> new Controller.ElectLeaders(type, all, partitions, replyTo), Controller.LeadersElected::stateVersion)
        .thenApply(elected -> new ElectLeadersResponse(response(elected.outcomes())));
  }

  private static ElectLeadersResponseData response(List<RequestedElections.Outcome> outcomes) {
    Map<String, ReplicaElectionResult> byTopic = new LinkedHashMap<>();
    for (RequestedElections.Outcome outcome : outcomes) {
      byTopic.computeIfAbsent(outcome.topic(), topic -> new ReplicaElectionResult().setTopic(topic)).partitionResult()
          .add(new PartitionResult().setPartitionId(outcome.partition())
              .setErrorCode(outcome.errorCode()).setErrorMessage(outcome.errorMessage()));
    }
    return new ElectLeadersResponseData().setErrorCode(Errors.NONE.code()).setReplicaElectionResults(new ArrayList<>(byTopic.values()));
  }
}
