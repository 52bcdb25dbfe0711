package io.vltava.kafka;

import io.vltava.metadata.BrokerInfo;
import io.vltava.metadata.ClusterState;
import io.vltava.metadata.PartitionState;
import io.vltava.metadata.TopicState;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.resource.ResourceType;

/** Metadata: brokers, controller, and topics with their partitions; creates missing topics when allowed. */
final class MetadataHandler implements ApiHandler {
  private static final short FIRST_VERSION_WITH_NULLABLE_NAMES = 12;

  private final BrokerServices broker;

  MetadataHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.METADATA;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    MetadataRequestData data = ((MetadataRequest) request).data();
    if (((MetadataRequest) request).isAllTopics()) {
      // Null from v1; at v0 an empty list means every topic.
      return CompletableFuture.completedFuture(response(context, broker.cluster(), null, data));
    }
    Set<String> missing = new LinkedHashSet<>();
    for (MetadataRequestData.MetadataRequestTopic topic : data.topics()) {
      if (topic.name() != null && Topic.isValid(topic.name()) && broker.cluster().topic(topic.name()).isEmpty()) {
        missing.add(topic.name());
      }
    }
    CompletionStage<?> created = data.allowAutoTopicCreation()
        ? broker.autoCreate(context, missing)
        : CompletableFuture.completedFuture(null);
    return created.thenApplyAsync(ignored -> response(context, broker.cluster(), data.topics(), data), broker.executor());
  }

  private AbstractResponse response(
      RequestContext context, ClusterState cluster, List<MetadataRequestData.MetadataRequestTopic> requested, MetadataRequestData data) {
    short version = context.apiVersion();
    MetadataResponseData response = new MetadataResponseData()
        .setClusterId(cluster.clusterId())
        .setControllerId(BrokerServices.controllerIdForClients(cluster, broker.localNodeId()))
        .setClusterAuthorizedOperations(data.includeClusterAuthorizedOperations()
            ? broker.clusterAuthorizedOperations(context) : AuthorizedOperations.NOT_REQUESTED);
    // As Kafka: each broker's endpoint on the listener this client connected to.
    for (BrokerInfo node : cluster.brokers().values()) {
      node.endpoint(context.connection().listenerName()).ifPresent(endpoint -> response.brokers().add(
          new MetadataResponseData.MetadataResponseBroker().setNodeId(node.nodeId()).setHost(endpoint.host()).setPort(endpoint.port())));
    }
    if (requested == null) {
      // As Kafka: all topics means all that the principal may describe.
      cluster.topics().values().stream().filter(topic -> broker.authorizedOnTopic(context, AclOperation.DESCRIBE, topic.name()))
          .forEach(topic -> response.topics().add(describe(topic)));
    } else {
      for (MetadataRequestData.MetadataRequestTopic wanted : requested) {
        MetadataResponseTopic described = describeRequested(cluster, wanted, version);
        boolean named = described.name() != null && !described.name().isEmpty();
        if (named && !broker.authorizedOnTopic(context, AclOperation.DESCRIBE, described.name())) {
          // Neither its id nor its partitions: a principal learns no more than that it may not see it.
          described = new MetadataResponseTopic().setName(described.name()).setTopicId(Uuid.ZERO_UUID)
              .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        }
        response.topics().add(described);
      }
    }
    if (data.includeTopicAuthorizedOperations()) {
      // As Kafka: every topic looked up by name, known or not; none for unknown topic ids.
      response.topics().stream().filter(topic -> topic.name() != null)
          .forEach(topic -> topic.setTopicAuthorizedOperations(
              broker.authorizedOperations(context, ResourceType.TOPIC, topic.name())));
    }
    return new MetadataResponse(response, version);
  }

  private MetadataResponseTopic describeRequested(
      ClusterState cluster, MetadataRequestData.MetadataRequestTopic wanted, short version) {
    if (wanted.name() == null) {
      // As Kafka: an unknown id has no name (null from v12, the first version that can hold it).
      return broker.topicById(wanted.topicId()).map(this::describe).orElseGet(() -> new MetadataResponseTopic()
          .setName(version >= FIRST_VERSION_WITH_NULLABLE_NAMES ? null : "")
          .setTopicId(wanted.topicId()).setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
    }
    if (!Topic.isValid(wanted.name())) {
      return new MetadataResponseTopic().setName(wanted.name()).setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code());
    }
    return cluster.topic(wanted.name()).map(this::describe).orElseGet(() -> new MetadataResponseTopic()
        .setName(wanted.name()).setTopicId(Uuid.ZERO_UUID).setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()));
  }

  private MetadataResponseTopic describe(TopicState topic) {
    MetadataResponseTopic described = new MetadataResponseTopic()
        .setName(topic.name())
        .setTopicId(BrokerServices.toKafka(topic.topicId()))
        .setIsInternal(BrokerServices.isInternalTopic(topic.name()));
    List<MetadataResponsePartition> partitions = new ArrayList<>();
    for (int p = 0; p < topic.partitionCount(); p++) {
      PartitionState state = topic.partitions().get(p);
      List<Integer> offline = state.replicas().stream()
          .filter(id -> !broker.cluster().brokers().containsKey(id)).toList();
      partitions.add(new MetadataResponsePartition()
          .setPartitionIndex(p)
          .setErrorCode(state.hasLeader() ? Errors.NONE.code() : Errors.LEADER_NOT_AVAILABLE.code())
          .setLeaderId(state.leader())
          .setLeaderEpoch(state.leaderEpoch())
          .setReplicaNodes(new ArrayList<>(state.replicas()))
          .setIsrNodes(new ArrayList<>(state.isr()))
          .setOfflineReplicas(new ArrayList<>(offline)));
    }
    return described.setPartitions(partitions);
  }
}
