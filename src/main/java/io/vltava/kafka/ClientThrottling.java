package io.vltava.kafka;

import io.vltava.metadata.ClientQuota;
import io.vltava.metadata.ClientQuotas;
import io.vltava.security.ClientQuotaManager;
import io.vltava.security.ControllerMutationQuota;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.ProduceRequest;

/**
 * Client quotas on the request path, as Kafka enforces them. A client over a quota is answered
 * with {@code throttle_time_ms} and its connection is muted that long (a client too old to
 * throttle itself gets its answer that much later), never with an error, except where KIP-599
 * says so. Per request, the longest of:
 * <ul>
 *   <li>request_percentage: the CPU time the request took on the thread that dispatched it, as a
 *       share of one thread (see {@link #handleCounted});</li>
 *   <li>producer_byte_rate: a produce's record bytes;</li>
 *   <li>consumer_byte_rate: a consumer fetch's record bytes, decided by the fetch itself
 *       ({@link #fetchQuota}), which answers empty when over, as Kafka's does;</li>
 *   <li>controller_mutation_rate: partitions created or deleted, decided by CreateTopics,
 *       CreatePartitions and DeleteTopics ({@link #controllerMutationQuota}).</li>
 * </ul>
 * Exempt, as in Kafka: followers' fetches (replication has its own throttle) and cluster actions;
 * ApiVersions and the SASL APIs never reach these handlers (the dispatcher and the connection's
 * authenticator answer them), so a throttled client can always open and authenticate a connection.
 */
final class ClientThrottling {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final double PERCENT_SECONDS_PER_NANO = 100.0 / 1e9;

  private final BrokerServices broker;
  private final ClientQuotaManager quotas;
  private final ConnectionMutes mutes;

  ClientThrottling(BrokerServices broker) {
    this.broker = broker;
    this.quotas = broker.clientQuotas();
    this.mutes = new ConnectionMutes(broker.scheduler(), broker.executor());
  }

  /** Every handler, wrapped so that requests wait out their connection's mute and are counted against quotas. */
  List<ApiHandler> wrap(List<ApiHandler> handlers) {
    return handlers.stream().<ApiHandler>map(this::throttled).toList();
  }

  /** What the consumer byte-rate quota allows one fetch. */
  interface FetchQuota {
    /** The response's byte limit: the request's, and at most what the client's quota window can take. */
    int maxResponseBytes(int requestedMaxBytes);

    /**
     * Counts a fetch that read {@code recordBytes} and says how long to throttle it: 0 to answer it;
     * otherwise it is answered empty (Kafka's throttled fetch response) and its bytes are not counted.
     */
    long throttleMs(long recordBytes);
  }

  private static final FetchQuota UNLIMITED_FETCH = new FetchQuota() {
    @Override
    public int maxResponseBytes(int requestedMaxBytes) {
      return requestedMaxBytes;
    }

    @Override
    public long throttleMs(long recordBytes) {
      return 0;
    }
  };

  /** The quota of one fetch; followers' fetches are not limited. */
  FetchQuota fetchQuota(RequestContext context, boolean fromFollower) {
    List<ClientQuota> configured = broker.cluster().clientQuotas();
    if (fromFollower || configured.isEmpty()) {
      return UNLIMITED_FETCH;
    }
    String user = context.principal().getName();
    String clientId = clientId(context);
    return new FetchQuota() {
      @Override
      public int maxResponseBytes(int requestedMaxBytes) {
        double allowed = quotas.maxValueInWindow(configured, ClientQuotas.CONSUMER_BYTE_RATE, user, clientId);
        return (int) Math.max(1, Math.min(requestedMaxBytes, allowed));
      }

      @Override
      public long throttleMs(long recordBytes) {
        long nowMs = System.currentTimeMillis();
        long bandwidthMs = quotas.recordAndThrottleMs(configured, ClientQuotas.CONSUMER_BYTE_RATE, user, clientId, recordBytes, nowMs);
        // As Kafka: a client over its request quota also gets an empty answer.
        long throttleMs = Math.max(bandwidthMs, quotas.throttleMs(configured, ClientQuotas.REQUEST_PERCENTAGE, user, clientId, nowMs));
        if (throttleMs > 0) {
          quotas.unrecord(configured, ClientQuotas.CONSUMER_BYTE_RATE, user, clientId, recordBytes, nowMs);
        }
        return throttleMs;
      }
    };
  }

  /**
   * The client's partition-mutation quota for one CreateTopics, CreatePartitions or DeleteTopics:
   * strict from {@code strictSinceVersion} (refusals answered THROTTLING_QUOTA_EXCEEDED),
   * permissive below it. The handler puts its {@code throttleMs} in the response.
   */
  ControllerMutationQuota controllerMutationQuota(RequestContext context, short strictSinceVersion) {
    List<ClientQuota> configured = broker.cluster().clientQuotas();
    if (configured.isEmpty()) {
      return ControllerMutationQuota.UNBOUNDED;
    }
    return quotas.controllerMutationQuota(configured, context.principal().getName(), clientId(context),
        context.apiVersion() >= strictSinceVersion, System.currentTimeMillis());
  }

  private ApiHandler throttled(ApiHandler handler) {
    return new ApiHandler() {
      @Override
      public ApiKeys apiKey() {
        return handler.apiKey();
      }

      @Override
      public short oldestVersion() {
        return handler.oldestVersion();
      }

      @Override
      public short latestVersion() {
        return handler.latestVersion();
      }

      @Override
      public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        return mutes.inOrder(context.connection(), () -> handleCounted(handler, context, request));
      }
    };
  }

  /**
   * Handles the request and counts its handling time against request_percentage. Handling time is
   * the CPU time of the handler's synchronous part on the dispatching thread: what a request keeps
   * a thread busy with (decisions, lookups, authorization, and for most APIs the whole answer).
   * Waits are not counted (a long-polling fetch, acks=all, a rebalance, a controller write), since
   * they hold no thread here, as Kafka counts request-handler time and not purgatory time. Nor is
   * the log I/O of fetches and produces, which runs on the log dispatcher and in the replicas'
   * actors and is what the byte-rate quotas govern. CPU rather than wall time: the threads are
   * shared by all connections, and a client must not be charged for the time others preempted it.
   */
  private CompletionStage<AbstractResponse> handleCounted(ApiHandler handler, RequestContext context, AbstractRequest request) {
    List<ClientQuota> configured = broker.cluster().clientQuotas();
    if (configured.isEmpty()) {
      return handler.handle(context, request); // the usual case: nothing to measure or count
    }
    long requestThrottleMs = 0;
    CompletionStage<AbstractResponse> handled;
    if (exempt(handler.apiKey(), request)) {
      handled = handler.handle(context, request);
    } else {
      long startCpuNanos = THREADS.getCurrentThreadCpuTime();
      handled = handler.handle(context, request);
      double percentSeconds = (THREADS.getCurrentThreadCpuTime() - startCpuNanos) * PERCENT_SECONDS_PER_NANO;
      requestThrottleMs = quotas.recordAndThrottleMs(configured, ClientQuotas.REQUEST_PERCENTAGE,
          context.principal().getName(), clientId(context), percentSeconds, System.currentTimeMillis());
    }
    long throttleMsSoFar = requestThrottleMs;
    return handled.thenCompose(response -> throttle(configured, context, request, response, throttleMsSoFar));
  }

  private static boolean exempt(ApiKeys key, AbstractRequest request) {
    return key.clusterAction || request instanceof FetchRequest fetch && fetch.replicaId() >= 0;
  }

  private CompletionStage<AbstractResponse> throttle(
      List<ClientQuota> configured, RequestContext context, AbstractRequest request, AbstractResponse response, long requestThrottleMs) {
    // Fetches and partition mutations put their own quota's throttle time in the response.
    long throttleMs = Math.max(requestThrottleMs, response == null ? 0 : response.throttleTimeMs());
    if (request instanceof ProduceRequest produce) {
      throttleMs = Math.max(throttleMs, quotas.recordAndThrottleMs(configured, ClientQuotas.PRODUCER_BYTE_RATE,
          context.principal().getName(), clientId(context), produceBytes(produce.data()), System.currentTimeMillis()));
    }
    if (throttleMs <= 0) {
      return CompletableFuture.completedFuture(response);
    }
    mutes.mute(context.connection(), Duration.ofMillis(throttleMs));
    if (response == null) {
      return CompletableFuture.completedFuture(null); // acks=0: the mute alone slows the client
    }
    response.maybeSetThrottleTimeMs((int) Math.min(Integer.MAX_VALUE, throttleMs));
    return response.shouldClientThrottle(context.apiVersion())
        ? CompletableFuture.completedFuture(response)
        : mutes.delayed(response, Duration.ofMillis(throttleMs));
  }

  private static String clientId(RequestContext context) {
    return context.clientId() == null ? "" : context.clientId();
  }

  private static long produceBytes(ProduceRequestData data) {
    long bytes = 0;
    for (ProduceRequestData.TopicProduceData topic : data.topicData()) {
      for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
        bytes += partition.records() == null ? 0 : partition.records().sizeInBytes();
      }
    }
    return bytes;
  }
}
