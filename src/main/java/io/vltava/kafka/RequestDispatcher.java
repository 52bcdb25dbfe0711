package io.vltava.kafka;

import io.vltava.replica.RecordsForm;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.network.ByteBufferSend;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one request into the bytes of its response: decode with kafka-clients' classes, call the
 * key's handler, encode. Input the connection cannot survive throws {@link ProtocolViolation}.
 */
final class RequestDispatcher {

  private static final Logger log = LoggerFactory.getLogger(RequestDispatcher.class);

  private final ApiHandlers handlers;
  private final Executor executor;
  private final BrokerMetrics metrics;

  /** {@code executor} runs response encoding; never the common pool, which has one thread here. */
  RequestDispatcher(ApiHandlers handlers, Executor executor, BrokerMetrics metrics) {
    this.handlers = handlers;
    this.executor = executor;
    this.metrics = metrics;
  }

  /**
   * What goes back for one request: its size-prefixed response, none (a produce with acks=0), and
   * whether the connection closes after it (a failed authentication). The response is a kafka-clients
   * {@link Send}: serialized fields, with record batches left in memory or in their segment file.
   */
  record Outgoing(Optional<Send> response, boolean closeAfter) {}

  /**
   * The response to a request (its frame without the length field). The connection's
   * authenticator admits the request and answers the SASL APIs itself; {@code recordsForm} is what
   * the connection's transport can send fetched records as.
   *
   * @param buffer the request, handed over: handlers may rewrite its record batches in place
   *     (offsets, leader epoch) and keep them, so the caller neither reuses nor shares it
   */
  CompletionStage<Outgoing> respond(
      ByteBuffer buffer, InetSocketAddress peer, ConnectionAuthenticator connection, RecordsForm recordsForm) {
    if (connection.expectsRawToken()) {
      byte[] token = new byte[buffer.remaining()];
      buffer.get(token);
      return delayed(connection.authenticateRaw(token), reply -> Optional.ofNullable(reply.rawToken()).map(
          raw -> ByteBufferSend.sizePrefixed(ByteBuffer.wrap(raw))));
    }
    long startNanos = System.nanoTime();
    RequestHeader header = parseHeader(buffer);
    ApiHandler handler =
        handlers
            .handlerFor(header.apiKey())
            .orElseThrow(() -> new ProtocolViolation("no handler for " + header.apiKey()));
    connection.admit(header.apiKey());
    AbstractRequest request = parseBody(header, handler, buffer);
    if (handler instanceof ApiHandlers.AnsweredByConnection) {
      return authenticate(header, request, connection, startNanos);
    }
    return call(handler, new RequestContext(header, connection.identity(), recordsForm), request)
        .handleAsync(
            (response, failure) -> {
              metrics.requestCompleted(header.apiKey(), failure != null ? Errors.forException(unwrap(failure)) : errorOf(response),
                  System.nanoTime() - startNanos);
              if (failure != null) {
                Throwable cause = unwrap(failure);
                if (expectsNoResponse(request)) {
                  // As Kafka does: an error response would pass for the answer to a later request.
                  throw new ProtocolViolation(
                      "acks=0 " + header.apiKey() + " failed, closing to signal it: " + cause);
                }
                log.warn(
                    "{} v{} from {} failed, answering {}: {}",
                    header.apiKey(),
                    header.apiVersion(),
                    peer,
                    Errors.forException(cause),
                    cause.toString());
                return Optional.of(encode(header, request, request.getErrorResponse(cause)));
              }
              return Optional.ofNullable(response).map(r -> encodeOrReportBug(header, request, r, peer));
            },
            executor)
        .thenApply(response -> new Outgoing(response, false));
  }

  /** Answers SaslHandshake and SaslAuthenticate in turn, delaying the answer to a failed authentication. */
  private CompletionStage<Outgoing> authenticate(
      RequestHeader header, AbstractRequest request, ConnectionAuthenticator connection, long startNanos) {
    ConnectionAuthenticator.SaslReply reply = request instanceof SaslHandshakeRequest handshake
        ? connection.handshake(handshake, header.apiVersion())
        : connection.authenticate((SaslAuthenticateRequest) request, header.apiVersion());
    metrics.requestCompleted(header.apiKey(), errorOf(reply.response()), System.nanoTime() - startNanos);
    return delayed(reply, answered -> Optional.of(encode(header, request, answered.response())));
  }

  private CompletionStage<Outgoing> delayed(
      ConnectionAuthenticator.SaslReply reply, java.util.function.Function<ConnectionAuthenticator.SaslReply, Optional<Send>> encoding) {
    Outgoing outgoing = new Outgoing(encoding.apply(reply), reply.closeAfter());
    if (reply.delay().isZero()) {
      return CompletableFuture.completedFuture(outgoing);
    }
    return CompletableFuture.supplyAsync(() -> outgoing, CompletableFuture.delayedExecutor(
        reply.delay().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS, executor));
  }

  /**
   * A handler that sets a field its request's version cannot hold is a Vltava bug; the client then
   * gets UNKNOWN_SERVER_ERROR for that request instead of a closed connection, and the log says which
   * field (the conformance suite fails on either).
   */
  private static Send encodeOrReportBug(
      RequestHeader header, AbstractRequest request, AbstractResponse response, InetSocketAddress peer) {
    try {
      return encode(header, request, response);
    } catch (UnsupportedVersionException e) {
      log.error(
          "BUG: {} v{} response to {} cannot be written at its version ({}); answering {}",
          header.apiKey(),
          header.apiVersion(),
          peer,
          e.getMessage(),
          Errors.UNKNOWN_SERVER_ERROR);
      return encode(header, request, request.getErrorResponse(new UnknownServerException(e.getMessage())));
    }
  }

  private static RequestHeader parseHeader(ByteBuffer buffer) {
    try {
      return RequestHeader.parse(buffer);
    } catch (InvalidRequestException e) {
      throw new ProtocolViolation("unreadable request header: " + e.getMessage());
    }
  }

  private static AbstractRequest parseBody(
      RequestHeader header, ApiHandler handler, ByteBuffer buffer) {
    ApiKeys key = header.apiKey();
    short version = header.apiVersion();
    if (version < handler.oldestVersion() || version > handler.latestVersion()) {
      if (key == ApiKeys.API_VERSIONS) {
        // As Kafka does: a body we cannot read, answered at v0 so that any client can read it.
        return new ApiVersionsRequest(new ApiVersionsRequestData(), (short) 0, version);
      }
      throw new ProtocolViolation(key + " v" + version + " is not supported");
    }
    if (version < key.oldestVersion()) {
      // Advertised for old clients' sake (Produce from v0), but kafka-clients cannot read it.
      throw new ProtocolViolation(key + " v" + version + " is advertised but not served");
    }
    try {
      return AbstractRequest.parseRequest(key, version, new ByteBufferAccessor(buffer)).request;
    } catch (RuntimeException e) {
      throw new ProtocolViolation("malformed " + key + " v" + version + " request: " + e);
    }
  }

  private static CompletionStage<AbstractResponse> call(
      ApiHandler handler, RequestContext context, AbstractRequest request) {
    try {
      return handler.handle(context, request);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The error a response reports (the first, if several partitions failed), NONE when it has none. */
  private static Errors errorOf(AbstractResponse response) {
    if (response == null) {
      return Errors.NONE;
    }
    Map<Errors, Integer> counts;
    try {
      counts = response.errorCounts();
    } catch (RuntimeException e) {
      // kafka-clients cannot count some legal answers; the one known is AlterConfigs naming a
      // resource twice (a duplicate map key), answered INVALID_REQUEST. The response is still sent.
      return Errors.INVALID_REQUEST;
    }
    for (Errors error : counts.keySet()) {
      if (error != Errors.NONE) {
        return error;
      }
    }
    return Errors.NONE;
  }

  private static boolean expectsNoResponse(AbstractRequest request) {
    return request instanceof ProduceRequest produce && produce.acks() == 0;
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }

  /**
   * Encodes at the request's version, which for an ApiVersions request at an unknown version is
   * 0; the response header version follows from key and version (ApiVersions always uses v0).
   * Record batches in the response are referenced, not copied.
   */
  private static Send encode(RequestHeader header, AbstractRequest request, AbstractResponse response) {
    return response.toSend(header.toResponseHeader(), request.version());
  }
}
