package io.vltava.kafka;

import io.vltava.metadata.ClusterState;
import io.vltava.metadata.PartitionState;
import io.vltava.metadata.TopicState;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingPartitionReassignment;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingTopicReassignment;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListPartitionReassignmentsRequest;
import org.apache.kafka.common.requests.ListPartitionReassignmentsResponse;

/**
 * ListPartitionReassignments (v0): the moves in progress, all or those of the named partitions:
 * replicas (the union), adding and removing replicas. Answered from this node's metadata once it
 * has caught up with the controller's, so a move started through another node shows at once.
 * Partitions that do not exist or are not moving are left out, as Kafka does.
 */
final class ListPartitionReassignmentsHandler implements ApiHandler {
  private final BrokerServices broker;

  ListPartitionReassignmentsHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.LIST_PARTITION_REASSIGNMENTS;
  }

  @Override
  public short oldestVersion() {
    return 0;
  }

  @Override
  public short latestVersion() {
    return 0;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    if (!broker.authorizedOnCluster(context, AclOperation.DESCRIBE)) {
      return BrokerServices.refused(request, Errors.CLUSTER_AUTHORIZATION_FAILED);
    }
    ListPartitionReassignmentsRequestData data = ((ListPartitionReassignmentsRequest) request).data();
    return broker.controllerConsistentState().thenApply(state -> new ListPartitionReassignmentsResponse(ongoing(state, data)));
  }

  private static ListPartitionReassignmentsResponseData ongoing(ClusterState state, ListPartitionReassignmentsRequestData data) {
    ListPartitionReassignmentsResponseData response = new ListPartitionReassignmentsResponseData();
    if (data.topics() == null) {
      new TreeMap<>(state.topics()).values().forEach(topic ->
          addOngoing(response, topic, java.util.stream.IntStream.range(0, topic.partitionCount()).boxed().toList()));
    } else {
      data.topics().forEach(requested ->
          state.topic(requested.name()).ifPresent(topic -> addOngoing(response, topic, requested.partitionIndexes())));
    }
    return response;
  }

  private static void addOngoing(ListPartitionReassignmentsResponseData response, TopicState topic, List<Integer> partitions) {
    OngoingTopicReassignment ongoing = new OngoingTopicReassignment().setName(topic.name());
    for (int index : partitions) {
      if (index < 0 || index >= topic.partitionCount()) {
        continue;
      }
      PartitionState p = topic.partitions().get(index);
      if (p.isReassigning()) {
        ongoing.partitions().add(new OngoingPartitionReassignment().setPartitionIndex(index)
            .setReplicas(p.replicas()).setAddingReplicas(p.addingReplicas()).setRemovingReplicas(p.removingReplicas()));
      }
    }
    if (!ongoing.partitions().isEmpty()) {
      response.topics().add(ongoing);
    }
  }
}
