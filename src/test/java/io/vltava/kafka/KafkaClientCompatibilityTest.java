package io.vltava.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.ApiVersions;
import org.apache.kafka.clients.ClientRequest;
import org.apache.kafka.clients.ClientResponse;
import org.apache.kafka.clients.ManualMetadataUpdater;
import org.apache.kafka.clients.MetadataRecoveryStrategy;
import org.apache.kafka.clients.NetworkClient;
import org.apache.kafka.clients.NetworkClientUtils;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.network.PlaintextChannelBuilder;
import org.apache.kafka.common.network.Selector;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.common.utils.LogContext;
import org.apache.kafka.common.utils.Time;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The listener against kafka-clients' own NetworkClient, which negotiates versions first. */
class KafkaClientCompatibilityTest {

  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  @Test
  void networkClientNegotiatesVersionsThenGetsAnswers() throws Exception {
    ApiHandler heartbeats =
        new ScriptedHandler(
            ApiKeys.HEARTBEAT,
            (short) 0,
            (short) 3,
            (header, request) ->
                CompletableFuture.completedFuture(
                    new HeartbeatResponse(new HeartbeatResponseData())));
    KafkaListener listener =
        KafkaListener.bind(
                testKit.system(),
                new ListenerSettings(
                    "127.0.0.1", 0, "127.0.0.1", 1 << 20, Duration.ofMinutes(1), 16),
                ApiHandlers.of(List.of(heartbeats)))
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    InetSocketAddress address = listener.boundAddress();
    Node broker = new Node(1, address.getHostString(), address.getPort());
    LogContext logContext = new LogContext();
    PlaintextChannelBuilder channels = new PlaintextChannelBuilder(null);
    channels.configure(Map.of());
    try (Metrics metrics = new Metrics();
        NetworkClient client =
            new NetworkClient(
                new Selector(60_000, metrics, Time.SYSTEM, "test", channels, logContext),
                new ManualMetadataUpdater(List.of(broker)),
                "vltava-test",
                5,
                100,
                1_000,
                64 * 1024,
                64 * 1024,
                10_000,
                10_000,
                10_000,
                Time.SYSTEM,
                true,
                new ApiVersions(),
                logContext,
                MetadataRecoveryStrategy.NONE)) {
      // Ready only after the ApiVersions exchange succeeded.
      assertTrue(NetworkClientUtils.awaitReady(client, broker, Time.SYSTEM, 10_000));

      ClientRequest heartbeat =
          client.newClientRequest(
              broker.idString(),
              new HeartbeatRequest.Builder(new HeartbeatRequestData().setGroupId("g")),
              Time.SYSTEM.milliseconds(),
              true);
      ClientResponse response = NetworkClientUtils.sendAndReceive(client, heartbeat, Time.SYSTEM);

      assertEquals(Errors.NONE, ((HeartbeatResponse) response.responseBody()).error());
      // The newest version both sides know: ours, 3, rather than the client's 4.
      assertEquals(3, response.requestHeader().apiVersion());
    } finally {
      listener.shutdown(Duration.ofSeconds(1)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
