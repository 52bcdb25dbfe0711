package io.vltava.kafka;

import io.vltava.metadata.ClientQuotas;
import io.vltava.security.ClientQuotaManager;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ProduceRequest;

/**
 * Client quotas on the request path, as Kafka enforces them: a produce's request bytes count
 * against the client's producer_byte_rate, a consumer fetch's response bytes against its
 * consumer_byte_rate; a client over its quota is answered with {@code throttle_time_ms} and its
 * connection is muted that long (a client too old to throttle itself gets its answer that much
 * later), never with an error. Followers' fetches are not counted (replication has its own throttle).
 */
final class ClientThrottling {
  private final BrokerServices broker;
  private final ClientQuotaManager quotas;
  private final ConnectionMutes mutes;

  private ClientThrottling(BrokerServices broker) {
    this.broker = broker;
    this.quotas = broker.clientQuotas();
    this.mutes = new ConnectionMutes(broker.scheduler(), broker.executor());
  }

  /** Every handler, wrapped so that requests wait out their connection's mute and are counted against quotas. */
  static List<ApiHandler> wrap(BrokerServices broker, List<ApiHandler> handlers) {
    ClientThrottling throttling = new ClientThrottling(broker);
    return handlers.stream().<ApiHandler>map(throttling::throttled).toList();
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
        return mutes.inOrder(context.connection(), () -> handler.handle(context, request))
            .thenCompose(response -> throttle(context, request, response));
      }
    };
  }

  private CompletionStage<AbstractResponse> throttle(RequestContext context, AbstractRequest request, AbstractResponse response) {
    long throttleMs = throttleMs(context, request, response);
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

  private long throttleMs(RequestContext context, AbstractRequest request, AbstractResponse response) {
    List<io.vltava.metadata.ClientQuota> configured = broker.cluster().clientQuotas();
    if (configured.isEmpty()) {
      return 0; // the usual case: no bytes to sum on the produce and fetch path
    }
    String quota;
    long bytes;
    if (request instanceof ProduceRequest produce) {
      quota = ClientQuotas.PRODUCER_BYTE_RATE;
      bytes = produceBytes(produce.data());
    } else if (request instanceof FetchRequest fetch && fetch.replicaId() < 0 && response instanceof FetchResponse fetched) {
      quota = ClientQuotas.CONSUMER_BYTE_RATE;
      bytes = fetchBytes(fetched.data());
    } else {
      return 0;
    }
    String clientId = context.clientId() == null ? "" : context.clientId();
    return quotas.recordAndThrottleMs(configured, quota, context.principal().getName(), clientId, bytes, System.currentTimeMillis());
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

  private static long fetchBytes(FetchResponseData data) {
    long bytes = 0;
    for (FetchResponseData.FetchableTopicResponse topic : data.responses()) {
      for (FetchResponseData.PartitionData partition : topic.partitions()) {
        bytes += partition.records() == null ? 0 : partition.records().sizeInBytes();
      }
    }
    return bytes;
  }
}
