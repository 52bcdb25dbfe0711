package io.vltava.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.node.TestNodes;
import io.vltava.node.VltavaNode;
import io.vltava.security.InterBrokerSasl;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.UnsupportedSaslMechanismException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower's connection to a node whose only listener is SASL_PLAINTEXT: it authenticates with
 * SCRAM (kafka-clients' client) or PLAIN (the JDK's), keeps working across several session lifetimes
 * by re-authenticating on the same socket (KIP-368; a node closes a connection whose session ended),
 * and a wrong password or mechanism fails with a message that holds no secret.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LeaderConnectionTest {

  private static final Duration SESSION_LIFETIME = Duration.ofMillis(1500);
  private static final short METADATA_VERSION = 12;

  @TempDir static Path dataDir;
  private static VltavaNode node;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(dataDir, Map.of(
        "vltava.listeners", "SASL_PLAINTEXT://127.0.0.1:0",
        "vltava.sasl.enabled.mechanisms", List.of("SCRAM-SHA-256", "PLAIN"),
        "vltava.sasl.scram.bootstrap.credentials", List.of("SCRAM-SHA-256=[name=broker,password=broker-secret]"),
        "vltava.sasl.plain.users", List.of(Map.of("name", "broker", "password", "plain-secret")),
        "vltava.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"broker\" password=\"broker-secret\";",
        "vltava.listener.connections.max.reauth.ms", SESSION_LIFETIME.toMillis()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void scramSessionsAreRenewedOnTheSameConnection() throws Exception {
    assertRenewsSessions(new InterBrokerSasl("SCRAM-SHA-256", "broker", "broker-secret"));
  }

  @Test
  void plainSessionsAreRenewedOnTheSameConnection() throws Exception {
    assertRenewsSessions(new InterBrokerSasl("PLAIN", "broker", "plain-secret"));
  }

  @Test
  void aWrongPasswordIsRefusedWithoutShowingIt() {
    SaslAuthenticationException refused = assertThrows(SaslAuthenticationException.class,
        () -> connect(new InterBrokerSasl("SCRAM-SHA-256", "broker", "hunter2")));
    assertTrue(refused.getMessage().contains("SCRAM-SHA-256"), refused.getMessage());
    assertFalse(refused.getMessage().contains("hunter2"), refused.getMessage());
    assertThrows(SaslAuthenticationException.class, () -> connect(new InterBrokerSasl("PLAIN", "broker", "hunter2")));
  }

  @Test
  void aMechanismTheLeaderDoesNotOfferIsNamed() {
    UnsupportedSaslMechanismException refused = assertThrows(UnsupportedSaslMechanismException.class,
        () -> connect(new InterBrokerSasl("SCRAM-SHA-512", "broker", "broker-secret")));
    assertTrue(refused.getMessage().contains("SCRAM-SHA-256"), refused.getMessage());
  }

  /** Metadata (refused on a connection whose session ended) answers across three session lifetimes. */
  private static void assertRenewsSessions(InterBrokerSasl sasl) throws Exception {
    try (LeaderConnection connection = connect(sasl)) {
      assertEquals(1, connection.authentications());
      long endNanos = System.nanoTime() + SESSION_LIFETIME.multipliedBy(3).toNanos();
      Awaitility.await().pollInterval(Duration.ofMillis(100)).atMost(SESSION_LIFETIME.multipliedBy(10)).until(() -> {
        MetadataResponse metadata = connection.send(MetadataRequest.Builder.allTopics(), METADATA_VERSION);
        assertEquals(Errors.NONE, metadata.topLevelError());
        assertEquals(1, metadata.brokers().size());
        return System.nanoTime() > endNanos;
      });
      // How often depends on how long each request took; a session lasts one lifetime, so at least once more.
      assertTrue(connection.authentications() >= 2, "authentications: " + connection.authentications());
    }
  }

  private static LeaderConnection connect(InterBrokerSasl sasl) throws IOException {
    InetSocketAddress address = node.kafkaAddress();
    return new LeaderConnection(SocketFactory.getDefault(), address.getHostString(), address.getPort(), "replica-test",
        Optional.of(sasl), 10_000, 10_000);
  }
}
