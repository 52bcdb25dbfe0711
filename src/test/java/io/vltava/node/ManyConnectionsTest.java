package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vltava.kafka.KafkaSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One node holds 1,000 client connections at once: every one sends before any reads, every one is
 * answered (ApiVersions, then Metadata), and the node still serves a new connection afterwards.
 * The test JVM and the node together hold ~2,000 sockets: `ulimit -n` must allow it (README). The
 * connects come faster than a busy node accepts them; the listener's accept queue (1,024, capped by
 * net.core.somaxconn) holds all 1,000, so none is dropped or reset whatever the node's pace.
 */
class ManyConnectionsTest {
  private static final int CONNECTIONS = 1_000;

  @TempDir Path dataDir;

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void aThousandConcurrentConnectionsAreAllAnswered() throws Exception {
    try (VltavaNode node = TestNodes.start(dataDir)) {
      List<KafkaSocket> sockets = new ArrayList<>();
      try {
        for (int i = 0; i < CONNECTIONS; i++) {
          sockets.add(new KafkaSocket(node.kafkaAddress(), Duration.ofSeconds(60)));
        }
        List<RequestHeader> headers = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
          RequestHeader header = new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "client-" + i, i);
          sockets.get(i).send(header, new ApiVersionsRequest.Builder(new ApiVersionsRequestData()
              .setClientSoftwareName("many-connections").setClientSoftwareVersion("1"), (short) 3, (short) 3).build((short) 3));
          headers.add(header);
        }
        int answered = 0;
        for (int i = 0; i < CONNECTIONS; i++) {
          ApiVersionsResponse versions = sockets.get(i).receive(headers.get(i));
          MetadataResponse metadata = sockets.get(i).roundTrip(
              new MetadataRequest.Builder(new MetadataRequestData().setTopics(List.of())), (short) 12, CONNECTIONS + i);
          if (versions.data().errorCode() == Errors.NONE.code() && metadata.brokers().size() == 1) {
            answered++;
          }
        }
        assertEquals(CONNECTIONS, answered);
      } finally {
        for (KafkaSocket socket : sockets) {
          socket.close();
        }
      }
      try (KafkaSocket fresh = new KafkaSocket(node.kafkaAddress())) {
        MetadataResponse metadata = fresh.roundTrip(new MetadataRequest.Builder(new MetadataRequestData().setTopics(null)), (short) 12, 1);
        assertEquals(List.of(node.metadata().localNodeId()), metadata.brokers().stream().map(b -> b.id()).toList());
      }
    }
  }
}
