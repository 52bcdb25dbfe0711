package io.vltava.kafka;

import io.vltava.kafka.RequestContext.ConnectionIdentity;
import io.vltava.security.SaslServers;
import io.vltava.security.SslSettings;
import java.net.InetAddress;
import java.security.Principal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.requests.SaslHandshakeResponse;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.authenticator.SaslInternalConfigs;

/**
 * One connection's authentication, as Kafka's server authenticators run it: on a SASL listener only
 * ApiVersions, SaslHandshake and SaslAuthenticate are served until the client has authenticated, and
 * requests are bounded by {@code sasl.server.max.receive.size} meanwhile; on a TLS listener the
 * client certificate's subject names the principal. With {@code connections.max.reauth.ms}, or a
 * credential that expires (an OAUTHBEARER token), a session ends ({@link SessionLifetime}): the
 * client re-authenticates as the same principal on the same connection (KIP-368), or the
 * connection is closed at its next request. After a SaslHandshake v0 (before KIP-152, still what
 * librdkafka checks for) the SASL tokens travel raw, each in a size-prefixed frame of its own.
 *
 * <p>Confined to its connection's stream: requests reach it one at a time, in order. The identity is
 * volatile because handlers read it on other threads.
 */
final class ConnectionAuthenticator {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ConnectionAuthenticator.class);
  private static final Set<ApiKeys> BEFORE_AUTHENTICATION = Set.of(ApiKeys.API_VERSIONS, ApiKeys.SASL_HANDSHAKE, ApiKeys.SASL_AUTHENTICATE);
  private static final short FIRST_VERSION_WITH_SESSION_LIFETIME = 1;

  private enum State { AWAITING_HANDSHAKE, AWAITING_AUTHENTICATE, AUTHENTICATED }

  /**
   * An answer to a SASL request (or, after a v0 handshake, the raw token to send back), and whether
   * the connection closes after it (a failed authentication), delayed by {@code delay}.
   */
  record SaslReply(org.apache.kafka.common.requests.AbstractResponse response, byte[] rawToken, boolean closeAfter, Duration delay) {}

  private final NamedListener listener;
  private final InetAddress clientAddress;
  private final Optional<SaslServers> sasl;
  private final ListenerSettings settings;
  private final Runnable onAuthenticated;

  private volatile ConnectionIdentity identity;
  private volatile State state;
  private SaslServer server;
  private String mechanism;
  /** After a SaslHandshake v0 the client sends raw tokens instead of SaslAuthenticate requests. */
  private boolean rawTokens;
  /** System.nanoTime() after which the SASL session has ended; Long.MAX_VALUE = never. */
  private long sessionEndNanos = Long.MAX_VALUE;
  /** The lifetime of the session the last completed authentication began, told to the client. */
  private OptionalLong sessionLifetimeMs = OptionalLong.empty();

  ConnectionAuthenticator(NamedListener listener, InetAddress clientAddress, Optional<SaslServers> sasl,
      ListenerSettings settings, Runnable onAuthenticated) {
    this.listener = listener;
    this.clientAddress = clientAddress;
    this.sasl = sasl;
    this.settings = settings;
    this.onAuthenticated = onAuthenticated;
    this.identity = new ConnectionIdentity(KafkaPrincipal.ANONYMOUS, listener.name(), listener.securityProtocol(), clientAddress);
    this.state = listener.usesSasl() ? State.AWAITING_HANDSHAKE : State.AUTHENTICATED;
    if (!listener.usesSasl() && !listener.usesTls()) {
      onAuthenticated.run();
    }
  }

  ConnectionIdentity identity() {
    return identity;
  }

  String listenerName() {
    return listener.name();
  }

  /** The largest request the connection may send now: small until a SASL client has authenticated. */
  int maxRequestBytes() {
    return state == State.AUTHENTICATED ? settings.socketRequestMaxBytes() : sasl.map(SaslServers::maxReceiveBytes).orElse(0);
  }

  /**
   * The TLS handshake is done: on an SSL listener that authenticates the client, by certificate
   * (its subject through ssl.principal.mapping.rules), else ANONYMOUS.
   *
   * @throws SSLPeerUnverifiedException when no mapping rule matches the certificate: the connection closes
   */
  void tlsEstablished(SSLSession session, SslSettings ssl) throws SSLPeerUnverifiedException {
    if (listener.usesSasl()) {
      return;
    }
    Principal peer = null;
    try {
      peer = session.getPeerPrincipal();
    } catch (SSLPeerUnverifiedException noClientCertificate) {
      // ssl.client.auth none or requested without a certificate: anonymous, as in Kafka.
    }
    KafkaPrincipal principal = peer == null ? KafkaPrincipal.ANONYMOUS
        : new KafkaPrincipal(KafkaPrincipal.USER_TYPE, ssl.principalName(peer));
    identity = new ConnectionIdentity(principal, listener.name(), listener.securityProtocol(), clientAddress);
    onAuthenticated.run();
  }

  /** Refuses, by closing the connection, what Kafka refuses before (re-)authentication. */
  void admit(ApiKeys key) {
    if (state != State.AUTHENTICATED && !BEFORE_AUTHENTICATION.contains(key)) {
      throw new ProtocolViolation("unexpected " + key + " request before SASL authentication on listener " + listener.name());
    }
    if (state == State.AUTHENTICATED && System.nanoTime() - sessionEndNanos > 0 && key != ApiKeys.SASL_HANDSHAKE) {
      throw new ProtocolViolation("the SASL session of " + identity.principal() + " ended without re-authentication");
    }
  }

  /** True when the next frame is a raw SASL token, not a Kafka request. */
  boolean expectsRawToken() {
    return rawTokens && state == State.AWAITING_AUTHENTICATE;
  }

  SaslReply handshake(SaslHandshakeRequest request, short version) {
    if (!mayAuthenticate() || state == State.AWAITING_AUTHENTICATE) {
      return reply(new SaslHandshakeResponse(new SaslHandshakeResponseData().setErrorCode(Errors.ILLEGAL_SASL_STATE.code())), false);
    }
    List<String> enabled = sasl.get().enabledMechanisms();
    String wanted = request.data().mechanism();
    Optional<SaslServer> created = sasl.get().create(wanted);
    SaslHandshakeResponseData response = new SaslHandshakeResponseData().setMechanisms(enabled);
    if (created.isEmpty()) {
      // As Kafka: the client learns the mechanisms offered, and the connection closes.
      return reply(new SaslHandshakeResponse(response.setErrorCode(Errors.UNSUPPORTED_SASL_MECHANISM.code())), true);
    }
    server = created.get();
    mechanism = wanted;
    state = State.AWAITING_AUTHENTICATE;
    rawTokens = version == 0;
    return reply(new SaslHandshakeResponse(response.setErrorCode(Errors.NONE.code())), false);
  }

  SaslReply authenticate(SaslAuthenticateRequest request, short version) {
    SaslAuthenticateResponseData response = new SaslAuthenticateResponseData();
    if (!mayAuthenticate()) {
      return reply(new SaslAuthenticateResponse(response.setErrorCode(Errors.ILLEGAL_SASL_STATE.code())
          .setErrorMessage("SaslAuthenticate request received after successful authentication")), false);
    }
    if (state != State.AWAITING_AUTHENTICATE) {
      return reply(new SaslAuthenticateResponse(response.setErrorCode(Errors.ILLEGAL_SASL_STATE.code())
          .setErrorMessage("SaslAuthenticate request received before SaslHandshake")), true);
    }
    byte[] challenge;
    try {
      challenge = evaluate(request.data().authBytes());
    } catch (SaslAuthenticationException | SaslException e) {
      return failed(response, e);
    }
    response.setAuthBytes(challenge);
    if (state == State.AUTHENTICATED && version >= FIRST_VERSION_WITH_SESSION_LIFETIME) {
      sessionLifetimeMs.ifPresent(response::setSessionLifetimeMs);
    }
    return reply(new SaslAuthenticateResponse(response.setErrorCode(Errors.NONE.code())), false);
  }

  /** One raw token after a v0 handshake; a failure can only be told by closing the connection, as in Kafka. */
  SaslReply authenticateRaw(byte[] token) {
    try {
      return new SaslReply(null, evaluate(token), false, Duration.ZERO);
    } catch (SaslAuthenticationException | SaslException e) {
      logFailure(e);
      disposeServer();
      return new SaslReply(null, null, true, settings.failedAuthenticationDelay());
    }
  }

  /** Feeds a client token to the mechanism; once it completes, the connection is authenticated. */
  private byte[] evaluate(byte[] token) throws SaslException {
    byte[] challenge = server.evaluateResponse(token);
    if (server.isComplete()) {
      KafkaPrincipal principal = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, server.getAuthorizationID());
      boolean reauthenticating = sessionEndNanos != Long.MAX_VALUE;
      if (reauthenticating && !principal.equals(identity.principal())) {
        throw new SaslAuthenticationException(
            "Cannot change principals during re-authentication from " + identity.principal() + " to " + principal);
      }
      Long credentialExpiryMs = (Long) server.getNegotiatedProperty(SaslInternalConfigs.CREDENTIAL_LIFETIME_MS_SASL_NEGOTIATED_PROPERTY_KEY);
      disposeServer();
      identity = new ConnectionIdentity(principal, listener.name(), listener.securityProtocol(), clientAddress);
      sessionLifetimeMs = SessionLifetime.ms(settings.connectionsMaxReauth(), credentialExpiryMs, System.currentTimeMillis());
      long nowNanos = System.nanoTime();
      sessionLifetimeMs.ifPresent(lifetimeMs -> sessionEndNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(lifetimeMs));
      state = State.AUTHENTICATED;
      onAuthenticated.run();
    }
    return challenge == null ? new byte[0] : challenge;
  }

  /** SASL requests are served only on a SASL listener, before authentication or when sessions expire. */
  private boolean mayAuthenticate() {
    return sasl.isPresent() && listener.usesSasl() && (state != State.AUTHENTICATED || sessionEndNanos != Long.MAX_VALUE);
  }

  private SaslReply failed(SaslAuthenticateResponseData response, Exception cause) {
    logFailure(cause);
    disposeServer();
    // SaslAuthenticationException messages are meant for the client; other SASL errors may say too much.
    String message = cause instanceof SaslAuthenticationException ? cause.getMessage()
        : "Authentication failed during authentication due to invalid credentials with SASL mechanism " + mechanism;
    return new SaslReply(new SaslAuthenticateResponse(response.setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code())
        .setErrorMessage(message)), null, true, settings.failedAuthenticationDelay());
  }

  /** As Kafka, at INFO: who failed and why; the mechanisms' messages never hold a secret. */
  private void logFailure(Exception cause) {
    log.info("Failed {} authentication from {} on listener {}: {}", mechanism, clientAddress, listener.name(), cause.getMessage());
  }

  private void disposeServer() {
    try {
      if (server != null) {
        server.dispose();
      }
    } catch (SaslException e) {
      // Nothing is held that needs releasing.
    }
    server = null;
  }

  private static SaslReply reply(org.apache.kafka.common.requests.AbstractResponse response, boolean closeAfter) {
    return new SaslReply(response, null, closeAfter, Duration.ZERO);
  }
}
