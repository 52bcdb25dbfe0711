package io.vltava.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.metadata.ScramCredentials;
import io.vltava.security.ExampleStores;
import io.vltava.security.OAuthBearerSettings;
import io.vltava.security.OAuthBearerValidator;
import io.vltava.security.TestIdentityProvider;
import io.vltava.security.SaslServers;
import io.vltava.security.SaslSettings;
import io.vltava.security.SslSettings;
import java.io.IOException;
import org.apache.kafka.common.security.ssl.SslPrincipalMapper;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.requests.SaslHandshakeResponse;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SaslExtensions;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.security.oauthbearer.internals.OAuthBearerClientInitialResponse;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a listener makes of a connection before any handler sees it: the principal from a TLS client
 * certificate, the authentication deadline, and SASL sessions that end and are renewed (KIP-368),
 * by the setting or by an OAUTHBEARER token's expiry.
 * A Heartbeat handler records the principal each request arrives with.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ListenerAuthenticationTest {

  private static final ActorTestKit testKit = ActorTestKit.create();
  @TempDir static Path stores;

  private final AtomicReference<KafkaPrincipal> lastPrincipal = new AtomicReference<>();
  private KafkaListener listener;

  private static TestIdentityProvider idp;
  private static OAuthBearerSettings oauthBearerSettings;
  private static OAuthBearerValidator oauthBearer;

  @BeforeAll
  static void createStoresAndKeys() throws Exception {
    ExampleStores.create(stores);
    idp = TestIdentityProvider.start();
    oauthBearerSettings = new OAuthBearerSettings(idp.writeJwks(stores.resolve("jwks.json")), 3_600_000, 100, 10_000,
        List.of(TestIdentityProvider.AUDIENCE), TestIdentityProvider.ISSUER, "sub", "scope", 0);
    oauthBearer = OAuthBearerValidator.start(oauthBearerSettings);
  }

  @AfterAll
  static void stopTestKit() {
    oauthBearer.close();
    idp.close();
    testKit.shutdownTestKit();
  }

  @AfterEach
  void stopListener() throws Exception {
    if (listener != null) {
      listener.shutdown(Duration.ofSeconds(1)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aClientCertificateNamesThePrincipalOnAnSslListener() throws Exception {
    start(SecurityProtocol.SSL, "required", Duration.ofSeconds(30), Duration.ZERO);
    try (SSLSocket socket = tlsSocket(true)) {
      assertEquals(Errors.NONE, heartbeat(socket, 1));
      assertEquals(new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "CN=vltava-node"), lastPrincipal.get());
    }
  }

  @Test
  void principalMappingRulesTurnTheCertificateSubjectIntoTheName() throws Exception {
    start(SecurityProtocol.SSL, "required", "RULE:^CN=([^,]+)$/$1/U", Duration.ofSeconds(30), Duration.ZERO);
    try (SSLSocket socket = tlsSocket(true)) {
      assertEquals(Errors.NONE, heartbeat(socket, 1));
      assertEquals(new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "VLTAVA-NODE"), lastPrincipal.get());
    }
  }

  @Test
  void aCertificateNoMappingRuleMatchesIsRefused() throws Exception {
    start(SecurityProtocol.SSL, "required", "RULE:^CN=(.*),O=Example$/$1/", Duration.ofSeconds(30), Duration.ZERO);
    try (SSLSocket socket = tlsSocket(true)) {
      assertThrows(IOException.class, () -> heartbeat(socket, 1));
      assertNull(lastPrincipal.get());
    }
  }

  @Test
  void withoutACertificateARequestedClientIsAnonymous() throws Exception {
    start(SecurityProtocol.SSL, "requested", Duration.ofSeconds(30), Duration.ZERO);
    try (SSLSocket socket = tlsSocket(false)) {
      assertEquals(Errors.NONE, heartbeat(socket, 1));
      assertEquals(KafkaPrincipal.ANONYMOUS, lastPrincipal.get());
    }
  }

  @Test
  void aConnectionThatDoesNotAuthenticateInTimeIsClosed() throws Exception {
    start(SecurityProtocol.SASL_PLAINTEXT, "none", Duration.ofMillis(300), Duration.ZERO);
    try (KafkaSocket idle = new KafkaSocket(listener.boundAddress())) {
      long startNanos = System.nanoTime();
      assertTrue(idle.closedByPeer(), "closed without a request");
      assertTrue(System.nanoTime() - startNanos >= Duration.ofMillis(250).toNanos(), "not before the deadline");
    }
  }

  @Test
  void aSessionThatEndsIsRenewedOnTheSameConnectionOrTheConnectionCloses() throws Exception {
    Duration lifetime = Duration.ofMillis(500);
    start(SecurityProtocol.SASL_PLAINTEXT, "none", Duration.ofSeconds(30), lifetime);
    try (KafkaSocket socket = new KafkaSocket(listener.boundAddress())) {
      SaslAuthenticateResponse first = plain(socket, "alice", "alice-secret", 1);
      assertEquals(Errors.NONE.code(), first.data().errorCode());
      assertEquals(lifetime.toMillis(), first.data().sessionLifetimeMs());
      assertEquals(Errors.NONE, heartbeat(socket, 3));
      assertEquals(new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "alice"), lastPrincipal.get());
      awaitSessionEnd(lifetime);
      SaslAuthenticateResponse renewed = plain(socket, "alice", "alice-secret", 4);
      assertEquals(Errors.NONE.code(), renewed.data().errorCode());
      assertEquals(Errors.NONE, heartbeat(socket, 6));
    }
    try (KafkaSocket socket = new KafkaSocket(listener.boundAddress())) {
      assertEquals(Errors.NONE.code(), plain(socket, "alice", "alice-secret", 1).data().errorCode());
      awaitSessionEnd(lifetime);
      socket.send(new RequestHeader(ApiKeys.HEARTBEAT, (short) 4, "test", 3), heartbeatRequest());
      assertTrue(socket.closedByPeer(), "a request after the session ended closes the connection");
    }
    try (KafkaSocket socket = new KafkaSocket(listener.boundAddress())) {
      assertEquals(Errors.NONE.code(), plain(socket, "alice", "alice-secret", 1).data().errorCode());
      awaitSessionEnd(lifetime);
      SaslAuthenticateResponse otherUser = plain(socket, "bob", "bob-secret", 3);
      assertEquals(Errors.SASL_AUTHENTICATION_FAILED.code(), otherUser.data().errorCode());
      assertTrue(socket.closedByPeer(), "re-authenticating as another user closes the connection");
    }
  }

  @Test
  void anOAuthBearerSessionEndsWithItsTokenUnlessAFreshTokenRenewsIt() throws Exception {
    Duration maxReauth = Duration.ofMinutes(10);
    start(SecurityProtocol.SASL_PLAINTEXT, "none", Duration.ofSeconds(30), maxReauth);
    KafkaPrincipal alice = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "alice");
    try (KafkaSocket socket = new KafkaSocket(listener.boundAddress())) {
      SaslAuthenticateResponse first = oauthBearer(socket, idp.token("alice", Duration.ofSeconds(20)), 1);
      assertEquals(Errors.NONE.code(), first.data().errorCode());
      long lifetimeMs = first.data().sessionLifetimeMs();
      assertTrue(lifetimeMs > 10_000 && lifetimeMs <= 20_000, "the token's 20 s, not connections.max.reauth.ms: " + lifetimeMs);
      assertEquals(Errors.NONE, heartbeat(socket, 3));
      assertEquals(alice, lastPrincipal.get());
      SaslAuthenticateResponse renewed = oauthBearer(socket, idp.token("alice", Duration.ofHours(1)), 4);
      assertEquals(Errors.NONE.code(), renewed.data().errorCode());
      assertEquals(maxReauth.toMillis(), renewed.data().sessionLifetimeMs(), "a fresh token's hour, capped by the setting");
      assertEquals(Errors.NONE, heartbeat(socket, 6));
      SaslAuthenticateResponse otherSubject = oauthBearer(socket, idp.token("bob", Duration.ofHours(1)), 7);
      assertEquals(Errors.SASL_AUTHENTICATION_FAILED.code(), otherSubject.data().errorCode());
      assertTrue(socket.closedByPeer(), "a token for another subject cannot take over the connection");
    }
    Duration shortLived = Duration.ofSeconds(1);
    try (KafkaSocket socket = new KafkaSocket(listener.boundAddress())) {
      assertEquals(Errors.NONE.code(), oauthBearer(socket, idp.token("alice", shortLived), 1).data().errorCode());
      awaitSessionEnd(shortLived);
      socket.send(new RequestHeader(ApiKeys.HEARTBEAT, (short) 4, "test", 3), heartbeatRequest());
      assertTrue(socket.closedByPeer(), "a request after the token expired closes the connection");
    }
  }

  @Test
  void aFollowerChecksThatTheLeadersCertificateNamesTheHostItConnectsTo() throws Exception {
    // The example node certificate names 127.0.0.1 and localhost; 127.0.0.2 is loopback too, but not named.
    start("127.0.0.2", SecurityProtocol.SSL, "none", "DEFAULT", Duration.ofSeconds(30), Duration.ZERO);
    assertThrows(SSLHandshakeException.class, () -> followerHandshake("https"));
    followerHandshake("");
  }

  /** A TLS handshake with the listener as a follower does it, checking the leader's host by {@code algorithm}. */
  private void followerHandshake(String algorithm) throws Exception {
    SslSettings follower = new SslSettings("follower", "", "changeit", "PKCS12", "", stores.resolve("client.truststore.p12").toString(),
        "changeit", "PKCS12", SslSettings.ClientAuth.NONE, List.of("TLSv1.3"), SslPrincipalMapper.fromRules("DEFAULT"), algorithm);
    try (SSLSocket socket = (SSLSocket) follower.clientSockets().createSocket()) {
      socket.connect(listener.boundAddress(), 10_000);
      socket.setSoTimeout(10_000);
      socket.startHandshake();
    }
  }

  /** Sessions end by the clock; nothing to observe but its passing. */
  private static void awaitSessionEnd(Duration lifetime) {
    long endNanos = System.nanoTime() + lifetime.toNanos();
    Awaitility.await().pollInterval(Duration.ofMillis(50)).atMost(lifetime.multipliedBy(4)).until(() -> System.nanoTime() > endNanos);
  }

  private void start(SecurityProtocol protocol, String clientAuth, Duration authenticationTimeout, Duration reauth) throws Exception {
    start(protocol, clientAuth, "DEFAULT", authenticationTimeout, reauth);
  }

  private void start(SecurityProtocol protocol, String clientAuth, String principalMappingRules, Duration authenticationTimeout,
      Duration reauth) throws Exception {
    start("127.0.0.1", protocol, clientAuth, principalMappingRules, authenticationTimeout, reauth);
  }

  private void start(String host, SecurityProtocol protocol, String clientAuth, String principalMappingRules,
      Duration authenticationTimeout, Duration reauth) throws Exception {
    ListenerSettings settings = new ListenerSettings(host, 0, host, 1 << 20, Duration.ofSeconds(30), 4,
        authenticationTimeout, Duration.ZERO, reauth);
    String keystore = stores.resolve("node.keystore.p12").toString();
    String truststore = stores.resolve("client.truststore.p12").toString();
    SslSettings ssl = new SslSettings("vltava.ssl", keystore, "changeit", "PKCS12", "", truststore, "changeit", "PKCS12",
        SslSettings.ClientAuth.valueOf(clientAuth.toUpperCase()), List.of("TLSv1.3"), SslPrincipalMapper.fromRules(principalMappingRules), "https");
    SaslSettings sasl = new SaslSettings(List.of("PLAIN", "OAUTHBEARER"), 4096,
        Map.of("alice", "alice-secret".getBytes(StandardCharsets.UTF_8), "bob", "bob-secret".getBytes(StandardCharsets.UTF_8)),
        List.of(), oauthBearerSettings);
    NamedListener named = new NamedListener(protocol.name, protocol, host, 0, host, 0);
    KafkaListener.Security security = new KafkaListener.Security(Optional.of(ssl),
        named.usesTls() ? Optional.of(ssl.serverContext()) : Optional.empty(),
        named.usesSasl() ? Optional.of(new SaslServers(sasl, () -> ScramCredentials.NONE, Optional.of(oauthBearer))) : Optional.empty());
    ApiHandler recording = new ApiHandler() {
      @Override
      public ApiKeys apiKey() {
        return ApiKeys.HEARTBEAT;
      }

      @Override
      public java.util.concurrent.CompletionStage<AbstractResponse> handle(RequestContext context, org.apache.kafka.common.requests.AbstractRequest request) {
        lastPrincipal.set(context.principal());
        return CompletableFuture.completedFuture(new HeartbeatResponse(new HeartbeatResponseData()));
      }
    };
    listener = KafkaListener.bind(testKit.system(), settings, named, security, ApiHandlers.of(List.of(recording)), BrokerMetrics.NONE)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private SSLSocket tlsSocket(boolean withCertificate) throws Exception {
    SslSettings client = new SslSettings("client", withCertificate ? stores.resolve("node.keystore.p12").toString() : "", "changeit", "PKCS12", "",
        stores.resolve("client.truststore.p12").toString(), "changeit", "PKCS12", SslSettings.ClientAuth.NONE, List.of("TLSv1.3"),
        SslPrincipalMapper.fromRules("DEFAULT"), "https");
    SSLSocket socket = (SSLSocket) client.clientContext().getSocketFactory().createSocket();
    socket.connect(listener.boundAddress(), 10_000);
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static Errors heartbeat(SSLSocket socket, int correlationId) throws Exception {
    RequestHeader header = new RequestHeader(ApiKeys.HEARTBEAT, (short) 4, "test", correlationId);
    ByteBuffer frame = heartbeatRequest().serializeWithHeader(header);
    DataOutputStream out = new DataOutputStream(socket.getOutputStream());
    out.writeInt(frame.remaining());
    out.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
    out.flush();
    DataInputStream in = new DataInputStream(socket.getInputStream());
    byte[] response = new byte[in.readInt()];
    in.readFully(response);
    return Errors.forCode(((HeartbeatResponse) AbstractResponse.parseResponse(ByteBuffer.wrap(response), header)).data().errorCode());
  }

  private static Errors heartbeat(KafkaSocket socket, int correlationId) throws Exception {
    RequestHeader header = new RequestHeader(ApiKeys.HEARTBEAT, (short) 4, "test", correlationId);
    socket.send(header, heartbeatRequest());
    HeartbeatResponse response = socket.receive(header);
    return Errors.forCode(response.data().errorCode());
  }

  private static HeartbeatRequest heartbeatRequest() {
    return new HeartbeatRequest.Builder(new HeartbeatRequestData().setGroupId("g").setMemberId("m").setGenerationId(1)).build((short) 4);
  }

  private static SaslAuthenticateResponse plain(KafkaSocket socket, String user, String password, int first) throws Exception {
    return authenticate(socket, "PLAIN", ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8), first);
  }

  /** The client's first OAUTHBEARER message (RFC 7628) carrying {@code token}, as kafka-clients sends it. */
  private static SaslAuthenticateResponse oauthBearer(KafkaSocket socket, String token, int first) throws Exception {
    return authenticate(socket, "OAUTHBEARER", new OAuthBearerClientInitialResponse(token, SaslExtensions.empty()).toBytes(), first);
  }

  /** SaslHandshake v1 and SaslAuthenticate v2 with one token; correlation ids {@code first} and {@code first + 1}. */
  private static SaslAuthenticateResponse authenticate(KafkaSocket socket, String mechanism, byte[] token, int first) throws Exception {
    RequestHeader handshakeHeader = new RequestHeader(ApiKeys.SASL_HANDSHAKE, (short) 1, "test", first);
    socket.send(handshakeHeader, new SaslHandshakeRequest.Builder(new SaslHandshakeRequestData().setMechanism(mechanism)).build((short) 1));
    SaslHandshakeResponse handshake = socket.receive(handshakeHeader);
    assertEquals(Errors.NONE.code(), handshake.data().errorCode());
    RequestHeader authenticateHeader = new RequestHeader(ApiKeys.SASL_AUTHENTICATE, (short) 2, "test", first + 1);
    socket.send(authenticateHeader, new SaslAuthenticateRequest.Builder(new SaslAuthenticateRequestData()
        .setAuthBytes(token)).build((short) 2));
    return socket.receive(authenticateHeader);
  }
}
