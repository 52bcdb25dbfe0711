package io.vltava.replica;

import io.vltava.security.InterBrokerSasl;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Optional;
import javax.net.SocketFactory;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslException;
import org.apache.kafka.common.errors.IllegalSaslStateException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.UnsupportedSaslMechanismException;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.requests.SaslHandshakeResponse;

/**
 * A follower's blocking Kafka-protocol connection to a leader broker: replication uses the same
 * Fetch API as consumers (bulk data stays off Artery, whose frames are small). On a SASL listener it
 * authenticates (SaslHandshake, then SaslAuthenticate rounds) before anything else, and again on the
 * same connection before the session lifetime the leader gave ends (KIP-368). One request at a
 * time, from the fetcher thread that owns it; a response is valid until the next request.
 */
final class LeaderConnection implements AutoCloseable {
  private static final short HANDSHAKE_VERSION = 1;
  /** The first version whose response carries the session lifetime. */
  private static final short AUTHENTICATE_VERSION = 1;
  /** Re-authenticate once this share of the session lifetime has passed (Kafka picks 85–95 %). */
  private static final double REAUTHENTICATE_AT = 0.85;

  /** The response buffer's first size; it grows up to {@link #MAX_KEPT_RESPONSE_BUFFER_BYTES} as responses need. */
  private static final int INITIAL_RESPONSE_BUFFER_BYTES = 64 * 1024;
  /** Larger responses (a catching-up follower's) get a buffer of their own, so that no connection keeps more. */
  private static final int MAX_KEPT_RESPONSE_BUFFER_BYTES = 4 * 1024 * 1024;

  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;
  private final String host;
  private final String clientId;
  private final Optional<InterBrokerSasl> sasl;
  private int nextCorrelationId;
  /** System.nanoTime() from which the next request first re-authenticates; Long.MAX_VALUE = never. */
  private long reauthenticateAtNanos = Long.MAX_VALUE;
  private int authentications;
  /**
   * Responses are read into this one buffer: a fetch response's records are slices of it, so a
   * response is valid only until the next request on this connection (the fetcher appends them
   * all before it fetches again, and drops the connection on any failure). A fresh buffer per
   * response, as large as replication batches are, cost a humongous allocation each.
   */
  private ByteBuffer responseBuffer = ByteBuffer.allocate(INITIAL_RESPONSE_BUFFER_BYTES);

  /**
   * Connects and, with {@code sasl}, authenticates.
   *
   * @throws SaslAuthenticationException when the leader refuses the credentials (the connection is closed)
   */
  LeaderConnection(SocketFactory sockets, String host, int port, String clientId, Optional<InterBrokerSasl> sasl,
      int connectTimeoutMs, int readTimeoutMs) throws IOException {
    this.socket = sockets.createSocket();
    this.host = host;
    this.clientId = clientId;
    this.sasl = sasl;
    try {
      socket.connect(new InetSocketAddress(host, port), connectTimeoutMs);
      socket.setSoTimeout(readTimeoutMs);
      socket.setTcpNoDelay(true);
      this.in = new DataInputStream(socket.getInputStream());
      this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
      if (sasl.isPresent()) {
        authenticate(sasl.get());
      }
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** Sends one request and reads its response, re-authenticating first when the session is about to end. */
  <T extends AbstractResponse> T send(AbstractRequest.Builder<?> builder, short version) throws IOException {
    if (System.nanoTime() - reauthenticateAtNanos >= 0) {
      authenticate(sasl.orElseThrow());
    }
    return exchange(builder, version);
  }

  /** How many times this connection has authenticated (the first time included). */
  int authentications() {
    return authentications;
  }

  private void authenticate(InterBrokerSasl credentials) throws IOException {
    SaslHandshakeResponse handshake = exchange(
        new SaslHandshakeRequest.Builder(new SaslHandshakeRequestData().setMechanism(credentials.mechanism())), HANDSHAKE_VERSION);
    Errors handshakeError = Errors.forCode(handshake.data().errorCode());
    if (handshakeError == Errors.UNSUPPORTED_SASL_MECHANISM) {
      throw new UnsupportedSaslMechanismException("the leader's listener offers " + handshake.data().mechanisms()
          + ", not " + credentials.mechanism() + " (sasl.mechanism.inter.broker.protocol)");
    }
    if (handshakeError != Errors.NONE) {
      throw new IllegalSaslStateException("SaslHandshake failed: " + handshakeError);
    }
    long startNanos = System.nanoTime();
    SaslClient client = credentials.newClient(host);
    try {
      byte[] token = client.hasInitialResponse() ? client.evaluateChallenge(new byte[0]) : new byte[0];
      long sessionLifetimeMs;
      while (true) {
        SaslAuthenticateResponse response = exchange(
            new SaslAuthenticateRequest.Builder(new SaslAuthenticateRequestData().setAuthBytes(token)), AUTHENTICATE_VERSION);
        if (response.data().errorCode() != Errors.NONE.code()) {
          // The leader's message says what failed (e.g. invalid credentials) and never holds a secret.
          throw new SaslAuthenticationException(response.data().errorMessage());
        }
        sessionLifetimeMs = response.data().sessionLifetimeMs();
        if (client.isComplete()) {
          break;
        }
        token = client.evaluateChallenge(response.data().authBytes());
        if (client.isComplete() && (token == null || token.length == 0)) {
          break;
        }
      }
      authentications++;
      reauthenticateAtNanos = sessionLifetimeMs > 0
          ? startNanos + (long) (sessionLifetimeMs * REAUTHENTICATE_AT) * 1_000_000L
          : Long.MAX_VALUE;
    } catch (SaslException e) {
      throw new SaslAuthenticationException(credentials.mechanism() + " authentication with the leader failed: " + e.getMessage());
    } finally {
      client.dispose();
    }
  }

  @SuppressWarnings("unchecked")
  private <T extends AbstractResponse> T exchange(AbstractRequest.Builder<?> builder, short version) throws IOException {
    AbstractRequest request = builder.build(version);
    RequestHeader header = new RequestHeader(builder.apiKey(), version, clientId, nextCorrelationId++);
    ByteBuffer frame = request.serializeWithHeader(header);
    out.writeInt(frame.remaining());
    out.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
    out.flush();
    int size = in.readInt();
    if (size < 0) {
      throw new IOException("the leader sent a response of negative size " + size);
    }
    ByteBuffer response = bufferFor(size);
    in.readFully(response.array(), 0, size);
    return (T) AbstractResponse.parseResponse(response.limit(size), header);
  }

  /** For a response of {@code size} bytes: the kept buffer, grown if it must be, or above its bound one of its own. */
  private ByteBuffer bufferFor(int size) {
    if (size > MAX_KEPT_RESPONSE_BUFFER_BYTES) {
      return ByteBuffer.allocate(size);
    }
    if (size > responseBuffer.capacity()) {
      responseBuffer = ByteBuffer.allocate(Math.min(MAX_KEPT_RESPONSE_BUFFER_BYTES, Math.max(size, 2 * responseBuffer.capacity())));
    }
    return responseBuffer.clear();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
