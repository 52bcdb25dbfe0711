package io.vltava.metadata;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;

/**
 * The cluster's metadata at one {@code version}: its id, the controller that wrote it and that
 * controller's epoch, the live brokers, topics and their partitions, and the first producer id not
 * yet handed out, dynamic broker configs, the ACLs the authorizer decides by, and the client quotas.
 * Immutable; every change returns a new state with the version incremented, so a reader can tell
 * which of two states is newer. Changes validate their input and throw Kafka's error types.
 */
public record ClusterState(
    long version,
    String clusterId,
    int controllerId,
    long controllerEpoch,
    Map<Integer, BrokerInfo> brokers,
    Map<String, TopicState> topics,
    long nextProducerId,
    Map<Integer, Map<String, String>> brokerConfigs,
    ScramCredentials scramCredentials,
    Set<AclEntry> acls,
    List<ClientQuota> clientQuotas) implements CborSerializable {

  public ClusterState {
    brokers = Map.copyOf(brokers);
    topics = Map.copyOf(topics);
    // States stored before dynamic broker configs existed have none.
    brokerConfigs = brokerConfigs == null ? Map.of() : Map.copyOf(brokerConfigs);
    // States stored before SASL/SCRAM existed have none.
    scramCredentials = scramCredentials == null ? ScramCredentials.NONE : scramCredentials;
    // States stored before ACLs existed have none.
    acls = acls == null ? Set.of() : Set.copyOf(acls);
    // States stored before client quotas existed have none.
    clientQuotas = clientQuotas == null ? List.of() : List.copyOf(clientQuotas);
  }

  public static ClusterState empty() {
    return new ClusterState(0, "", -1, 0, Map.of(), Map.of(), 0, Map.of(), ScramCredentials.NONE, Set.of(), List.of());
  }

  /** A new cluster's first state, named by {@code clusterId}. */
  public static ClusterState initial(String clusterId) {
    return new ClusterState(1, clusterId, -1, 0, Map.of(), Map.of(), 0, Map.of(), ScramCredentials.NONE, Set.of(), List.of());
  }

  /** The state as a newly elected controller on {@code nodeId} takes it over: a higher epoch fences the previous one. */
  public ClusterState withNewController(int nodeId) {
    return new ClusterState(version + 1, clusterId, nodeId, controllerEpoch + 1, brokers, topics, nextProducerId, brokerConfigs, scramCredentials, acls, clientQuotas);
  }

  /** Hands out producer ids {@code nextProducerId .. nextProducerId+count-1}. */
  public ClusterState withProducerIdsAllocated(int count) {
    return new ClusterState(version + 1, clusterId, controllerId, controllerEpoch, brokers, topics, nextProducerId + count, brokerConfigs, scramCredentials, acls, clientQuotas);
  }

  /** A broker's dynamic config overrides (set with AlterConfigs on its BROKER resource); empty when it has none. */
  public Map<String, String> brokerConfigs(int nodeId) {
    return brokerConfigs.getOrDefault(nodeId, Map.of());
  }

  public ClusterState withBrokerConfigs(int nodeId, Map<String, String> configs) {
    if (configs.equals(brokerConfigs(nodeId))) {
      return this;
    }
    Map<Integer, Map<String, String>> next = new HashMap<>(brokerConfigs);
    if (configs.isEmpty()) {
      next.remove(nodeId);
    } else {
      next.put(nodeId, Map.copyOf(configs));
    }
    return new ClusterState(version + 1, clusterId, controllerId, controllerEpoch, brokers, topics, nextProducerId, next, scramCredentials, acls, clientQuotas);
  }

  /** The SCRAM credentials of the cluster's users replaced by {@code next}, as one new version. */
  public ClusterState withScramCredentials(ScramCredentials next) {
    if (next.equals(scramCredentials)) {
      return this;
    }
    return new ClusterState(version + 1, clusterId, controllerId, controllerEpoch, brokers, topics, nextProducerId, brokerConfigs, next, acls, clientQuotas);
  }

  /** Replaces every ACL at once (CreateAcls and DeleteAcls change many), as one new version. */
  public ClusterState withAcls(Set<AclEntry> newAcls) {
    if (newAcls.equals(acls)) {
      return this;
    }
    return new ClusterState(version + 1, clusterId, controllerId, controllerEpoch, brokers, topics, nextProducerId, brokerConfigs, scramCredentials, newAcls, clientQuotas);
  }

  /** Replaces every client quota at once (AlterClientQuotas changes many), as one new version. */
  public ClusterState withClientQuotas(List<ClientQuota> newQuotas) {
    if (newQuotas.equals(clientQuotas)) {
      return this;
    }
    return new ClusterState(version + 1, clusterId, controllerId, controllerEpoch, brokers, topics, nextProducerId, brokerConfigs, scramCredentials, acls,
        newQuotas);
  }

  public Optional<TopicState> topic(String name) {
    return Optional.ofNullable(topics.get(name));
  }

  public Optional<TopicState> topicById(UUID topicId) {
    return topics.values().stream().filter(t -> t.topicId().equals(topicId)).findFirst();
  }

  public ClusterState withoutBroker(int nodeId) {
    Map<Integer, BrokerInfo> next = new HashMap<>(brokers);
    next.remove(nodeId);
    return new ClusterState(version + 1, clusterId, controllerId, controllerEpoch, next, topics, nextProducerId, brokerConfigs, scramCredentials, acls, clientQuotas);
  }

  /** Replaces every topic at once (leader elections touch many), as one new version. */
  public ClusterState withTopics(Map<String, TopicState> newTopics) {
    if (newTopics.equals(topics)) {
      return this;
    }
    return new ClusterState(version + 1, clusterId, controllerId, controllerEpoch, brokers, newTopics, nextProducerId, brokerConfigs, scramCredentials, acls, clientQuotas);
  }

  public ClusterState withBroker(BrokerInfo broker) {
    if (broker.equals(brokers.get(broker.nodeId()))) {
      return this;
    }
    Map<Integer, BrokerInfo> next = new HashMap<>(brokers);
    next.put(broker.nodeId(), broker);
    return new ClusterState(version + 1, clusterId, controllerId, controllerEpoch, next, topics, nextProducerId, brokerConfigs, scramCredentials, acls, clientQuotas);
  }

  /** Validates a new topic against this state and returns it, without adding it. */
  public TopicState newTopic(String name, int partitions, int replicationFactor, Map<String, String> configs, UUID topicId) {
    Topic.validate(name);
    if (topics.containsKey(name)) {
      throw new TopicExistsException("Topic '" + name + "' already exists.");
    }
    for (String existing : topics.keySet()) {
      if (Topic.hasCollision(name, existing)) {
        throw new org.apache.kafka.common.errors.InvalidTopicException(
            "Topic '" + name + "' collides with existing topic '" + existing + "' ('.' and '_' are interchangeable in metric names).");
      }
    }
    if (partitions <= 0) {
      throw new InvalidPartitionsException("Number of partitions must be larger than 0.");
    }
    List<List<Integer>> replicas =
        ReplicaAssignment.assign(sortedBrokerIds(), 0, partitions, replicationFactor, topics.size());
    return new TopicState(name, topicId, configs, replicas.stream().map(PartitionState::initial).toList());
  }

  public ClusterState withTopic(TopicState topic) {
    Map<String, TopicState> next = new HashMap<>(topics);
    next.put(topic.name(), topic);
    return new ClusterState(version + 1, clusterId, controllerId, controllerEpoch, brokers, next, nextProducerId, brokerConfigs, scramCredentials, acls, clientQuotas);
  }

  public ClusterState withoutTopic(String name) {
    requireTopic(name);
    Map<String, TopicState> next = new HashMap<>(topics);
    next.remove(name);
    return new ClusterState(version + 1, clusterId, controllerId, controllerEpoch, brokers, next, nextProducerId, brokerConfigs, scramCredentials, acls, clientQuotas);
  }

  /** Grows a topic to {@code newCount} partitions; Kafka never shrinks one. */
  public TopicState withPartitionCount(String name, int newCount) {
    TopicState topic = requireTopic(name);
    int current = topic.partitionCount();
    if (newCount <= current) {
      throw new InvalidPartitionsException(
          "Topic currently has " + current + " partitions, which is higher than or equal to the requested " + newCount + ".");
    }
    // A partition being moved lists its original and target replicas; the new ones get the target's count.
    int replicationFactor = PartitionReassignment.targetReplicas(topic.partitions().get(0)).size();
    List<PartitionState> partitions = new ArrayList<>(topic.partitions());
    ReplicaAssignment.assign(sortedBrokerIds(), current, newCount - current, replicationFactor, topics.size())
        .forEach(replicas -> partitions.add(PartitionState.initial(replicas)));
    return topic.withPartitions(partitions);
  }

  public TopicState requireTopic(String name) {
    TopicState topic = topics.get(name);
    if (topic == null) {
      throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
    }
    return topic;
  }

  public List<Integer> sortedBrokerIds() {
    return List.copyOf(new TreeMap<>(brokers).keySet());
  }
}
