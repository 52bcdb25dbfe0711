package io.vltava.kafka;

import io.vltava.kafka.FetchContext.Fetched;
import io.vltava.kafka.FetchSession.Key;
import io.vltava.kafka.FetchSession.PartitionFetch;
import io.vltava.metadata.TopicState;
import io.vltava.replica.PartitionRead;
import io.vltava.replica.RecordsForm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;

/**
 * Fetch: whole batches below each partition's high watermark (a follower: its whole log), bounded
 * by the request's byte limits. A fetch that finds fewer than min_bytes waits up to max_wait_ms for
 * new data, then reads again. Fetch sessions (KIP-227, {@link FetchContext}) let a fetcher name only
 * the partitions whose request changed and get back only the partitions with news.
 */
final class FetchHandler implements ApiHandler {
  static final short FIRST_VERSION_WITH_TOPIC_IDS = 13;
  private static final short FIRST_VERSION_WITH_STORAGE_ERROR = 6;
  private static final short FIRST_VERSION_WITH_CURRENT_LEADER = 12;
  private static final short FIRST_VERSION_WITH_NODE_ENDPOINTS = 16;

  private final BrokerServices broker;
  private final FetchSessionCache sessions;
  private final ClientThrottling throttling;

  FetchHandler(BrokerServices broker, FetchSessionCache sessions, ClientThrottling throttling) {
    this.broker = broker;
    this.sessions = sessions;
    this.throttling = throttling;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.FETCH;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    FetchRequestData data = ((FetchRequest) request).data();
    int replicaId = ((FetchRequest) request).replicaId();
    short version = context.apiVersion();
    boolean usesTopicIds = version >= FIRST_VERSION_WITH_TOPIC_IDS;
    FetchContext fetchContext = FetchContext.of(sessions, version, data.sessionId(), data.sessionEpoch(), replicaId >= 0,
        requested(data, usesTopicIds), forgotten(data, usesTopicIds));
    // As Kafka: a follower (another node) must be allowed CLUSTER_ACTION, a consumer READ on each topic.
    Predicate<String> mayRead;
    if (replicaId >= 0) {
      boolean clusterAction = broker.authorizedOnCluster(context, AclOperation.CLUSTER_ACTION);
      mayRead = topic -> clusterAction;
    } else {
      mayRead = topic -> broker.authorizedOnTopic(context, AclOperation.READ, topic);
    }
    List<Fetched> wanted = resolve(fetchContext.partitions(), mayRead);
    // A consumer's quota bounds its answer, and a fetch over the quota is answered empty below.
    ClientThrottling.FetchQuota quota = throttling.fetchQuota(context, replicaId >= 0);
    data.setMaxBytes(quota.maxResponseBytes(data.maxBytes()));
    // The wait is registered before the first read: data appended between that read and a later
    // registration would go unnoticed until max_wait_ms.
    CompletableFuture<Void> arrival = data.maxWaitMs() <= 0 || data.minBytes() <= 0 || wanted.isEmpty()
        ? null
        : broker.replicas().awaitData(wanted.stream().map(f -> f.partition().topicPartition()).toList(),
            Duration.ofMillis(data.maxWaitMs())).toCompletableFuture();
    return CompletableFuture
        .supplyAsync(() -> readAll(replicaId, wanted, data.maxBytes(), version, context.recordsForm()), broker.replicas().ioExecutor())
        .thenCompose(bytesRead -> {
          if (arrival == null) {
            return CompletableFuture.completedFuture(bytesRead);
          }
          // A partition with an error answers at once; so the reads after a wait never meet one.
          if (bytesRead >= data.minBytes() || anyError(wanted)) {
            arrival.complete(null); // releases the registration and cancels its timer
            return CompletableFuture.completedFuture(bytesRead);
          }
          return arrival.thenApplyAsync(arrived -> readAll(replicaId, wanted, data.maxBytes(), version, context.recordsForm()), broker.replicas().ioExecutor());
        })
        .thenApply(bytesRead -> {
          long throttleMs = quota.throttleMs(bytesRead);
          if (throttleMs > 0) {
            return fetchContext.throttled((int) Math.min(Integer.MAX_VALUE, throttleMs));
          }
          List<Node> nodeEndpoints = new ArrayList<>();
          wanted.forEach(f -> pointAtLeader(f, nodeEndpoints, version, context.connection().listenerName()));
          return fetchContext.respond(wanted, nodeEndpoints);
        });
  }

  private static List<PartitionFetch> requested(FetchRequestData data, boolean usesTopicIds) {
    List<PartitionFetch> requested = new ArrayList<>();
    for (FetchRequestData.FetchTopic topic : data.topics()) {
      String name = usesTopicIds ? null : topic.topic();
      Uuid topicId = usesTopicIds ? topic.topicId() : Uuid.ZERO_UUID;
      for (FetchRequestData.FetchPartition partition : topic.partitions()) {
        requested.add(new PartitionFetch(topicId, name, partition.partition(), partition.fetchOffset(),
            partition.partitionMaxBytes(), partition.currentLeaderEpoch()));
      }
    }
    return requested;
  }

  private static List<Key> forgotten(FetchRequestData data, boolean usesTopicIds) {
    List<Key> forgotten = new ArrayList<>();
    for (FetchRequestData.ForgottenTopic topic : data.forgottenTopicsData()) {
      for (int partition : topic.partitions()) {
        forgotten.add(usesTopicIds ? new Key(topic.topicId(), null, partition) : new Key(Uuid.ZERO_UUID, topic.topic(), partition));
      }
    }
    return forgotten;
  }

  /** Looks each partition's topic up (once per run of one topic); an unknown one is answered with its error at once. */
  private List<Fetched> resolve(List<PartitionFetch> partitions, Predicate<String> mayRead) {
    List<Fetched> wanted = new ArrayList<>(partitions.size());
    PartitionFetch previous = null;
    Optional<TopicState> topic = Optional.empty();
    String name = null;
    boolean readable = false;
    for (PartitionFetch partition : partitions) {
      if (previous == null || !sameTopic(previous, partition)) {
        topic = broker.resolveTopic(partition.topic(), partition.topicId());
        name = topic.map(TopicState::name).orElse(partition.topic());
        readable = name == null || mayRead.test(name);
      }
      previous = partition;
      PartitionData response = new PartitionData().setPartitionIndex(partition.partition());
      if (!readable) {
        empty(response, Errors.TOPIC_AUTHORIZATION_FAILED);
      } else if (topic.isEmpty()) {
        empty(response, BrokerServices.unknownTopicError(partition.topicId()));
      }
      wanted.add(new Fetched(partition, new TopicIdPartition(partition.topicId(), partition.partition(), name), response));
    }
    return wanted;
  }

  private static boolean sameTopic(PartitionFetch a, PartitionFetch b) {
    return a.topicId().equals(b.topicId()) && java.util.Objects.equals(a.topic(), b.topic());
  }

  /** Fills the slot of every partition not already answered with an error; returns the bytes of records read. */
  private int readAll(int replicaId, List<Fetched> wanted, int responseMaxBytes, short version, RecordsForm form) {
    int remaining = responseMaxBytes;
    int total = 0;
    for (Fetched f : wanted) {
      if (f.response().errorCode() != Errors.NONE.code()) {
        continue;
      }
      // As Kafka (minOneMessage): only the first partition with data may get a batch above the limits,
      // so a consumer always progresses. Followers keep it for every partition: they do not rotate
      // their partitions between fetches as consumers do, so a strict limit could starve the last ones.
      boolean batchMayExceedLimit = total == 0 || replicaId >= 0;
      int read = read(replicaId, f, remaining <= 0 ? 0 : Math.min(remaining, f.request().maxBytes()), batchMayExceedLimit, version, form);
      remaining -= read;
      total += read;
    }
    return total;
  }

  private int read(int replicaId, Fetched f, int maxBytes, boolean batchMayExceedLimit, short version, RecordsForm form) {
    PartitionRead read = broker.replicas().read(f.partition().topicPartition(), replicaId, f.request().fetchOffset(),
        f.request().currentLeaderEpoch(), maxBytes, batchMayExceedLimit, form);
    Errors error = BrokerServices.replicaErrorFor(read.error(), version, FIRST_VERSION_WITH_STORAGE_ERROR);
    f.response().setErrorCode(error.code()).setHighWatermark(read.highWatermark())
        .setLastStableOffset(read.highWatermark()).setLogStartOffset(read.logStartOffset()).setRecords(read.records());
    if (replicaId < 0 && read.sizeInBytes() > 0) {
      broker.metrics().messagesOut(f.partition().topicPartition().topic(), read.recordCount(), read.sizeInBytes());
    }
    return read.sizeInBytes();
  }

  /**
   * A NOT_LEADER_OR_FOLLOWER answer names the current leader (from v12) and its endpoint (from v16,
   * KIP-951); earlier versions cannot carry them (followers fetch at v12).
   */
  private void pointAtLeader(Fetched f, List<Node> nodeEndpoints, short version, String listenerName) {
    if (f.response().errorCode() != Errors.NOT_LEADER_OR_FOLLOWER.code() || version < FIRST_VERSION_WITH_CURRENT_LEADER) {
      return;
    }
    broker.currentLeader(f.partition().topicPartition()).ifPresent(leader -> {
      f.response().setCurrentLeader(new FetchResponseData.LeaderIdAndEpoch()
          .setLeaderId(leader.broker().nodeId()).setLeaderEpoch(leader.leaderEpoch()));
      int leaderId = leader.broker().nodeId();
      if (version >= FIRST_VERSION_WITH_NODE_ENDPOINTS && nodeEndpoints.stream().noneMatch(node -> node.id() == leaderId)) {
        leader.broker().endpoint(listenerName).ifPresent(endpoint -> nodeEndpoints.add(new Node(leaderId, endpoint.host(), endpoint.port())));
      }
    });
  }

  private static boolean anyError(List<Fetched> wanted) {
    return wanted.stream().anyMatch(f -> f.response().errorCode() != Errors.NONE.code());
  }

  private static void empty(PartitionData response, Errors error) {
    response.setErrorCode(error.code()).setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1)
        .setRecords(MemoryRecords.EMPTY);
  }
}
