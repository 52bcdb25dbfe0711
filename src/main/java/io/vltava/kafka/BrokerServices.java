package io.vltava.kafka;

import io.vltava.controller.Controller;
import io.vltava.controller.TopicOutcome;
import io.vltava.group.GroupCoordinator;
import io.vltava.group.GroupCoordinators;
import io.vltava.log.TopicConfigs;
import io.vltava.metadata.AclEntry;
import io.vltava.metadata.BrokerInfo;
import io.vltava.metadata.ClusterState;
import io.vltava.metadata.MetadataCache;
import io.vltava.metadata.TopicState;
import io.vltava.replica.DirectCompletion;
import io.vltava.replica.ReplicaManager;
import io.vltava.security.AclRules;
import io.vltava.security.AuthorizationSettings;
import io.vltava.security.Authorizer;
import io.vltava.security.ClientQuotaManager;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.InvalidGroupIdException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * What the API handlers share: the node's metadata view, its replicas, the controller, and the
 * checks every handler makes the same way (topic lookup by name or id, auto-creation), and the
 * way to group coordinators.
 */
public final class BrokerServices {
  private static final String VLTAVA_INTERNAL_PREFIX = "__vltava";

  private final ActorSystem<?> system;
  private final MetadataCache metadata;
  private final ReplicaManager replicas;
  private final ActorRef<Controller.Command> controller;
  private final TopicConfigs topicConfigs;
  private final boolean autoCreateTopics;
  private final RequestSettings requests;
  private final GroupCoordinators groups;
  private final BrokerMetrics metrics;
  private final AuthorizationSettings authorization;
  private final ClientQuotaManager clientQuotas;
  /** The authorizer over the ACLs of the metadata version it was built from; rebuilt when they change. */
  private volatile Authorizer authorizer;

  public BrokerServices(
      ActorSystem<?> system, MetadataCache metadata, ReplicaManager replicas, ActorRef<Controller.Command> controller,
      TopicConfigs topicConfigs, boolean autoCreateTopics, RequestSettings requests, GroupCoordinators groups,
      BrokerMetrics metrics, AuthorizationSettings authorization, ClientQuotaManager clientQuotas) {
    this.metrics = metrics;
    this.authorization = authorization;
    this.clientQuotas = clientQuotas;
    this.system = system;
    this.metadata = metadata;
    this.replicas = replicas;
    this.controller = controller;
    this.topicConfigs = topicConfigs;
    this.autoCreateTopics = autoCreateTopics;
    this.requests = requests;
    this.groups = groups;
  }

  public ClusterState cluster() {
    return metadata.current();
  }

  /** How long handlers wait for the controller, coordinators and replicas. */
  public RequestSettings requests() {
    return requests;
  }

  /** Decides by the ACLs in this node's current metadata. */
  public Authorizer authorizer() {
    Authorizer current = authorizer;
    java.util.Set<AclEntry> acls = cluster().acls();
    if (current == null || current.acls() != acls) {
      current = new Authorizer(authorization, acls);
      authorizer = current;
    }
    return current;
  }

  /** Whether the request's principal, from its host, may perform {@code operation} on the named resource. */
  public boolean authorized(RequestContext context, AclOperation operation, ResourceType type, String name) {
    return authorizer().authorize(context.principal(), hostOf(context), operation, type, name);
  }

  public boolean authorizedOnCluster(RequestContext context, AclOperation operation) {
    return authorized(context, operation, ResourceType.CLUSTER, AclRules.CLUSTER_RESOURCE_NAME);
  }

  /** Whether {@code operation} is allowed on some resource of {@code type} (Kafka's authorizeByResourceType). */
  public boolean authorizedOnAny(RequestContext context, AclOperation operation, ResourceType type) {
    return authorizer().authorizeAnyOfType(context.principal(), hostOf(context), operation, type);
  }

  /** The authorized-operations bit field of a Metadata, DescribeCluster or DescribeGroups answer. */
  public int authorizedOperations(RequestContext context, ResourceType type, String name) {
    return AuthorizedOperations.bitField(authorizer().authorizedOperations(context.principal(), hostOf(context), type, name));
  }

  /** The cluster's authorized operations for a response that asked: none unless the principal may DESCRIBE the cluster, as Kafka. */
  public int clusterAuthorizedOperations(RequestContext context) {
    return authorizedOnCluster(context, AclOperation.DESCRIBE)
        ? authorizedOperations(context, ResourceType.CLUSTER, AclRules.CLUSTER_RESOURCE_NAME) : 0;
  }

  /** Whether the request's principal may perform {@code operation} on the topic. */
  public boolean authorizedOnTopic(RequestContext context, AclOperation operation, String topic) {
    return authorized(context, operation, ResourceType.TOPIC, topic);
  }

  /** The whole request refused with {@code error}, in the shape Kafka's request class gives its error response. */
  public static CompletionStage<AbstractResponse> refused(AbstractRequest request, Errors error) {
    return CompletableFuture.completedFuture(request.getErrorResponse(error.exception()));
  }

  /**
   * The error for a config resource (DescribeConfigs, AlterConfigs) the principal may not {@code operation}:
   * a topic's by its ACLs, a broker's by the cluster's; NONE when allowed.
   */
  public Errors configAuthorizationError(RequestContext context, AclOperation operation, byte resourceType, String name) {
    org.apache.kafka.common.config.ConfigResource.Type type = org.apache.kafka.common.config.ConfigResource.Type.forId(resourceType);
    return switch (type) {
      case TOPIC -> authorizedOnTopic(context, operation, name) ? Errors.NONE : Errors.TOPIC_AUTHORIZATION_FAILED;
      case BROKER, BROKER_LOGGER -> authorizedOnCluster(context, operation) ? Errors.NONE : Errors.CLUSTER_AUTHORIZATION_FAILED;
      case GROUP -> authorized(context, operation, ResourceType.GROUP, name) ? Errors.NONE : Errors.GROUP_AUTHORIZATION_FAILED;
      default -> Errors.NONE;
    };
  }

  private static String hostOf(RequestContext context) {
    java.net.InetAddress address = context.connection().clientAddress();
    return address == null ? "" : address.getHostAddress();
  }

  public ClientQuotaManager clientQuotas() {
    return clientQuotas;
  }

  public org.apache.pekko.actor.typed.Scheduler scheduler() {
    return system.scheduler();
  }

  public BrokerMetrics metrics() {
    return metrics;
  }

  public MetadataCache metadata() {
    return metadata;
  }

  public ReplicaManager replicas() {
    return replicas;
  }

  public TopicConfigs topicConfigs() {
    return topicConfigs;
  }

  /** Runs continuations of handler futures: the actor system's default dispatcher, never the common pool. */
  public Executor executor() {
    return system.executionContext();
  }

  public int localNodeId() {
    return metadata.localNodeId();
  }

  public Optional<BrokerInfo> localBroker() {
    return Optional.ofNullable(cluster().brokers().get(localNodeId()));
  }

  public <T> CompletionStage<T> askController(org.apache.pekko.japi.function.Function<ActorRef<T>, Controller.Command> request) {
    return DirectCompletion.of(AskPattern.ask(controller, request, requests.controllerTimeout(), system.scheduler()));
  }

  /**
   * Sends a topic request to the controller and completes once this node's metadata shows its
   * outcome, so the client's next request here sees what it just changed.
   */
  public CompletionStage<List<TopicOutcome>> changeTopics(
      org.apache.pekko.japi.function.Function<ActorRef<Controller.TopicOutcomes>, Controller.Command> request) {
    return askControllerAndSee(request, Controller.TopicOutcomes::stateVersion).thenApply(Controller.TopicOutcomes::outcomes);
  }

  /**
   * Asks the controller for a metadata change and completes with its reply once this node's
   * metadata has reached the version the reply names (or after the controller timeout), so the
   * client's next request here sees the change.
   */
  public <T> CompletionStage<T> askControllerAndSee(
      org.apache.pekko.japi.function.Function<ActorRef<T>, Controller.Command> request, java.util.function.ToLongFunction<T> stateVersion) {
    return this.<T>askController(request).thenCompose(reply -> metadata
        .awaitVersion(stateVersion.applyAsLong(reply))
        .toCompletableFuture()
        .completeOnTimeout(null, requests.controllerTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .thenApply(visible -> reply));
  }

  /** As {@link #changeTopics}, for requests answered item by item (partitions, brokers). */
  public CompletionStage<List<Controller.Outcome>> changeMetadata(
      org.apache.pekko.japi.function.Function<ActorRef<Controller.Outcomes>, Controller.Command> request) {
    return askControllerAndSee(request, Controller.Outcomes::stateVersion).thenApply(Controller.Outcomes::outcomes);
  }

  /**
   * This node's metadata once it holds everything the controller has stored (or, after the
   * controller timeout, as it is): reads that must see changes made through other nodes.
   */
  public CompletionStage<ClusterState> controllerConsistentState() {
    return askControllerAndSee(Controller.GetStateVersion::new, version -> version).thenApply(version -> cluster());
  }

  public GroupCoordinators groups() {
    return groups;
  }

  /** Asks the coordinator of {@code groupId}; an empty or null group id fails with INVALID_GROUP_ID. */
  public <T> CompletionStage<T> askGroup(
      String groupId, org.apache.pekko.japi.function.Function<ActorRef<T>, GroupCoordinator.Command> request, Duration timeout) {
    return validGroupId(groupId) ? groups.ask(groupId, request, timeout) : invalidGroupId();
  }

  /** As {@link #askGroup}, for a JoinGroup or SyncGroup the coordinator parks (see {@link GroupCoordinators#askParked}). */
  public <T> CompletionStage<T> askGroupParked(
      String groupId, org.apache.pekko.japi.function.Function<ActorRef<T>, GroupCoordinator.Command> request, Duration timeout) {
    return validGroupId(groupId) ? groups.askParked(groupId, request, timeout) : invalidGroupId();
  }

  private static boolean validGroupId(String groupId) {
    return groupId != null && !groupId.isEmpty();
  }

  private static <T> CompletionStage<T> invalidGroupId() {
    return CompletableFuture.failedFuture(new InvalidGroupIdException("the group id is empty"));
  }

  /**
   * The Kafka error for a failed {@link #askGroup}: a coordinator that did not answer in time is
   * reported as not available, so the client looks it up again and retries.
   */
  public static Errors groupError(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    return cause instanceof TimeoutException ? Errors.COORDINATOR_NOT_AVAILABLE : Errors.forException(cause);
  }

  /**
   * Creates the missing ones among {@code names} with the broker defaults, if auto-creation is on
   * and the principal may CREATE them (on the cluster or the topic, as Kafka's Metadata asks).
   */
  public CompletionStage<List<TopicOutcome>> autoCreate(RequestContext context, Collection<String> names) {
    boolean mayCreateAny = authorizedOnCluster(context, AclOperation.CREATE);
    List<Controller.NewTopic> topics = names.stream()
        .filter(name -> mayCreateAny || authorizedOnTopic(context, AclOperation.CREATE, name))
        .map(name -> new Controller.NewTopic(name, -1, -1, Map.of())).toList();
    if (!autoCreateTopics || topics.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    return changeTopics(replyTo -> new Controller.CreateTopics(topics, false, replyTo));
  }

  public Optional<TopicState> topicById(Uuid topicId) {
    return cluster().topicById(toJava(topicId));
  }

  /**
   * The topic a request names: by id when the request version carries ids (a non-zero id), else by
   * name. Empty when unknown; {@link #unknownTopicError} says which error that is.
   */
  public Optional<TopicState> resolveTopic(String name, Uuid topicId) {
    return usesId(topicId) ? topicById(topicId) : cluster().topic(name);
  }

  /**
   * The partition's current leader and its endpoint, for NOT_LEADER_OR_FOLLOWER answers that point
   * the client at the leader (KIP-951); empty when the partition has no live leader.
   */
  public Optional<CurrentLeader> currentLeader(org.apache.kafka.common.TopicPartition partition) {
    ClusterState state = cluster();
    return state.topic(partition.topic())
        .filter(t -> partition.partition() < t.partitionCount())
        .map(t -> t.partitions().get(partition.partition()))
        .filter(p -> state.brokers().containsKey(p.leader()))
        .map(p -> new CurrentLeader(p.leaderEpoch(), state.brokers().get(p.leader())));
  }

  public record CurrentLeader(int leaderEpoch, BrokerInfo broker) {}

  /**
   * The controller id that Metadata and DescribeCluster give clients: they must reach it over the
   * Kafka protocol, so it must be a broker. As Kafka's brokers answer some live broker (clients
   * never talk to KRaft controllers), a controller-only node is replaced by this node if it is a
   * broker, else the lowest live broker id; -1 when there is none.
   */
  public static int controllerIdForClients(ClusterState state, int localNodeId) {
    if (state.brokers().containsKey(state.controllerId())) {
      return state.controllerId();
    }
    if (state.brokers().containsKey(localNodeId)) {
      return localNodeId;
    }
    return state.brokers().keySet().stream().mapToInt(Integer::intValue).min().orElse(-1);
  }

  /**
   * Kafka's internal topics and Vltava's own (the journal), whose names start with "__vltava":
   * Metadata marks them internal, so clients hide them, and clients may not produce to them.
   */
  public static boolean isInternalTopic(String name) {
    return Topic.isInternal(name) || name.startsWith(VLTAVA_INTERNAL_PREFIX);
  }

  /**
   * A replica's error as a request of {@code version} may carry it: KAFKA_STORAGE_ERROR before
   * {@code firstVersionWithStorageError} (Produce v4, Fetch v6) becomes NOT_LEADER_OR_FOLLOWER, as
   * Kafka answers, since older clients would take the unknown code as fatal rather than retry.
   */
  static org.apache.kafka.common.protocol.Errors replicaErrorFor(
      org.apache.kafka.common.protocol.Errors error, short version, short firstVersionWithStorageError) {
    return error == org.apache.kafka.common.protocol.Errors.KAFKA_STORAGE_ERROR && version < firstVersionWithStorageError
        ? org.apache.kafka.common.protocol.Errors.NOT_LEADER_OR_FOLLOWER
        : error;
  }

  public static org.apache.kafka.common.protocol.Errors unknownTopicError(Uuid topicId) {
    return usesId(topicId)
        ? org.apache.kafka.common.protocol.Errors.UNKNOWN_TOPIC_ID
        : org.apache.kafka.common.protocol.Errors.UNKNOWN_TOPIC_OR_PARTITION;
  }

  private static boolean usesId(Uuid topicId) {
    return topicId != null && !topicId.equals(Uuid.ZERO_UUID);
  }

  public static Uuid toKafka(UUID id) {
    return io.vltava.metadata.TopicIds.toKafka(id);
  }

  public static UUID toJava(Uuid id) {
    return io.vltava.metadata.TopicIds.toJava(id);
  }
}
