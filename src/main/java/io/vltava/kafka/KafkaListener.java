package io.vltava.kafka;

import io.vltava.replica.RecordsForm;
import io.vltava.security.SaslServers;
import io.vltava.security.SslSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.japi.pf.PFBuilder;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.StreamTcpException;
import org.apache.pekko.stream.IgnoreComplete$;
import org.apache.pekko.stream.TLSProtocol.SendBytes;
import org.apache.pekko.stream.TLSProtocol.SessionBytes;
import org.apache.pekko.stream.TLSProtocol.SslTlsInbound;
import org.apache.pekko.stream.TLSProtocol.SslTlsOutbound;
import org.apache.pekko.stream.javadsl.TLS;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.stream.scaladsl.Framing.FramingException;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts Kafka-protocol connections on one named listener and carries each request to its {@link
 * ApiHandler} and the response back. Per connection: TLS when the listener's protocol says so, 4-byte
 * big-endian size framing, authentication ({@link ConnectionAuthenticator}) before anything else on a
 * SASL listener, up to max-in-flight requests handled at once, responses written in request order.
 * Input that cannot be parsed, a failed TLS handshake or authentication closes only the connection it
 * came on. PLAINTEXT listeners run on {@link NioTransport} when plaintext-zero-copy is on (fetched
 * records go out with sendfile); the others on Pekko Streams TCP.
 */
public final class KafkaListener {

  private static final Logger log = LoggerFactory.getLogger(KafkaListener.class);

  /**
   * Pending-accept queue length (the kernel caps it at net.core.somaxconn). Pekko accepts only as
   * fast as the stream asks for connections, so on a busy node a burst of connects (clients
   * restarting together) waits in this queue; once it is full the kernel drops handshakes, which
   * delays those clients by seconds or, if the queue stays full, resets them. Kafka's acceptor
   * thread drains its smaller queue (50) on a thread of its own.
   */
  static final int BACKLOG = 1024;

  /** How connections on a listener are secured: the TLS context (SSL, SASL_SSL) and the SASL mechanisms (SASL_*). */
  public record Security(Optional<SslSettings> ssl, Optional<SSLContext> sslContext, Optional<SaslServers> sasl) {
    public static final Security NONE = new Security(Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** What carries the bytes: Pekko Streams TCP, or the NIO transport for zero-copy PLAINTEXT listeners. */
  private interface Transport {
    InetSocketAddress boundAddress();

    CompletionStage<Done> unbind();

    CompletionStage<Done> shutdown(Duration deadline);
  }

  private final NamedListener listener;
  private final Transport transport;

  private KafkaListener(NamedListener listener, Transport transport) {
    this.listener = listener;
    this.transport = transport;
  }

  /** Binds the simple form's one PLAINTEXT listener at host:port (port 0 picks a free one). */
  public static CompletionStage<KafkaListener> bind(
      ActorSystem<?> system, ListenerSettings settings, ApiHandlers handlers) {
    return bind(system, settings, handlers, BrokerMetrics.NONE);
  }

  /** As {@link #bind(ActorSystem, ListenerSettings, ApiHandlers)}, reporting every request to {@code metrics}. */
  public static CompletionStage<KafkaListener> bind(
      ActorSystem<?> system, ListenerSettings settings, ApiHandlers handlers, BrokerMetrics metrics) {
    NamedListener plaintext = new NamedListener(Listeners.DEFAULT_NAME, SecurityProtocol.PLAINTEXT, settings.host(),
        settings.port(), settings.advertisedHost(), 0);
    return bind(system, settings, plaintext, Security.NONE, handlers, metrics);
  }

  /** Binds {@code listener}; fails if the address cannot be bound. */
  public static CompletionStage<KafkaListener> bind(ActorSystem<?> system, ListenerSettings settings, NamedListener listener,
      Security security, ApiHandlers handlers, BrokerMetrics metrics) {
    if (listener.usesTls() && security.sslContext().isEmpty() || listener.usesSasl() && security.sasl().isEmpty()) {
      throw new IllegalArgumentException("listener " + listener.name() + " (" + listener.securityProtocol() + ") lacks its security settings");
    }
    RequestDispatcher dispatcher = new RequestDispatcher(handlers, system.executionContext(), metrics);
    if (listener.securityProtocol() == SecurityProtocol.PLAINTEXT && settings.plaintextZeroCopy()) {
      try {
        NioTransport nio = NioTransport.bind(listener, settings, dispatcher);
        return CompletableFuture.completedFuture(new KafkaListener(listener, new Transport() {
          @Override
          public InetSocketAddress boundAddress() {
            return nio.boundAddress();
          }

          @Override
          public CompletionStage<Done> unbind() {
            return nio.unbind();
          }

          @Override
          public CompletionStage<Done> shutdown(Duration deadline) {
            return nio.shutdown(deadline);
          }
        }));
      } catch (IOException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    Connections connections = new Connections(system, settings, listener, security, dispatcher);
    // halfClose on, so that reading can stop (draining, bad input) while responses are written;
    // the connection closes when the response stream ends.
    Pair<CompletionStage<Tcp.ServerBinding>, CompletionStage<Done>> bound =
        Tcp.get(system)
            .bind(listener.host(), listener.port(), BACKLOG, List.of(), true, Optional.empty())
            .toMat(Sink.foreach(connection -> connections.serve(connection)), Keep.both())
            .run(system);
    return bound
        .first()
        .thenApply(binding -> new KafkaListener(listener, new Transport() {
          @Override
          public InetSocketAddress boundAddress() {
            return binding.localAddress();
          }

          @Override
          public CompletionStage<Done> unbind() {
            return binding.unbind().thenApply(unbound -> Done.getInstance());
          }

          @Override
          public CompletionStage<Done> shutdown(Duration deadline) {
            return unbind()
                // Once the accept stream is done, every connection it accepted is registered.
                .thenCompose(unbound -> bound.second())
                .thenCompose(accepted -> connections.drain(deadline));
          }
        }));
  }

  public NamedListener listener() {
    return listener;
  }

  public InetSocketAddress boundAddress() {
    return transport.boundAddress();
  }

  /** The port this listener tells clients: the advertised one, else the one it is bound to. */
  public int advertisedPort() {
    return listener.advertisedPort() != 0 ? listener.advertisedPort() : boundAddress().getPort();
  }

  /** Stops accepting connections; open ones carry on. */
  public CompletionStage<Done> unbind() {
    return transport.unbind();
  }

  /**
   * Orderly stop: unbinds, stops reading requests, answers those in flight and closes each
   * connection once it has; connections still busy after {@code deadline} are closed regardless.
   * Completes when every connection is closed.
   */
  public CompletionStage<Done> shutdown(Duration deadline) {
    return transport.shutdown(deadline);
  }

  /** The open connections and the switches that end them. */
  private static final class Connections {

    private final ActorSystem<?> system;
    private final ListenerSettings settings;
    private final NamedListener listener;
    private final Security security;
    private final RequestDispatcher dispatcher;
    /** Stops reading requests; the ones already read are still answered. */
    private final SharedKillSwitch draining = KillSwitches.shared("kafka-listener-draining");
    /** Closes connections at once, dropping whatever is still in flight. */
    private final SharedKillSwitch closing = KillSwitches.shared("kafka-listener-closing");

    private final Set<CompletionStage<Done>> open = ConcurrentHashMap.newKeySet();

    Connections(ActorSystem<?> system, ListenerSettings settings, NamedListener listener, Security security,
        RequestDispatcher dispatcher) {
      this.system = system;
      this.settings = settings;
      this.listener = listener;
      this.security = security;
      this.dispatcher = dispatcher;
    }

    void serve(Tcp.IncomingConnection connection) {
      CompletionStage<Done> closed =
          connection.handleWith(flow(connection.remoteAddress()), system);
      open.add(closed);
      closed.whenComplete((done, failure) -> open.remove(closed));
    }

    CompletionStage<Done> drain(Duration deadline) {
      draining.shutdown();
      Cancellable forceClose =
          system.scheduler().scheduleOnce(deadline, closing::shutdown, system.executionContext());
      CompletableFuture<?>[] closed =
          open.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new);
      return CompletableFuture.allOf(closed)
          .handle(
              (allClosed, failure) -> {
                forceClose.cancel();
                return Done.getInstance();
              });
    }

    private Flow<ByteString, ByteString, CompletionStage<Done>> flow(InetSocketAddress peer) {
      // Closes this connection if it has not authenticated in time (TLS handshake and SASL).
      SharedKillSwitch unauthenticated = KillSwitches.shared("kafka-connection-authentication");
      Cancellable authenticationDeadline = system.scheduler().scheduleOnce(settings.authenticationTimeout(),
          () -> unauthenticated.abort(new AuthenticationTimeout(settings.authenticationTimeout())), system.executionContext());
      ConnectionAuthenticator authenticator = new ConnectionAuthenticator(
          listener, peer.getAddress(), security.sasl(), settings, authenticationDeadline::cancel);
      Flow<ByteString, ByteString, NotUsed> requests =
          Flow.of(ByteString.class)
              .via(new RequestFraming(authenticator::maxRequestBytes))
              .via(draining.flow())
              .mapAsync(
                  settings.maxInFlightPerConnection(),
                  // A copy: a ByteString is immutable, and handlers may rewrite the request in place.
                  frame -> dispatcher.respond(frame.toByteBuffer(), peer, authenticator, RecordsForm.MEMORY))
              // A failed authentication's answer is the last thing the connection sends.
              .takeWhile(outgoing -> !outgoing.closeAfter(), true)
              .filter(outgoing -> outgoing.response().isPresent())
              .map(outgoing -> ByteStringChannel.drain(outgoing.response().get()));
      Flow<ByteString, ByteString, NotUsed> application =
          BidiFlow.<ByteString, ByteString>bidirectionalIdleTimeout(settings.connectionsMaxIdle()).join(requests);
      Flow<ByteString, ByteString, NotUsed> transport =
          listener.usesTls() ? overTls(application, authenticator) : application;
      return Flow.of(ByteString.class)
          .via(new CancelWithoutFailure())
          .via(unauthenticated.flow())
          .via(transport)
          .via(closing.flow())
          // Ending the output normally closes the socket with a FIN after the pending writes.
          .recoverWithRetries(
              1,
              new PFBuilder<Throwable, Graph<SourceShape<ByteString>, NotUsed>>()
                  .matchAny(failure -> closeAfter(failure, peer))
                  .build())
          .watchTermination(Keep.right())
          .mapMaterializedValue(closed -> {
            closed.whenComplete((done, failure) -> authenticationDeadline.cancel());
            return closed;
          });
    }

    /** The JDK's TLS engine between the socket and the Kafka protocol; the first decrypted bytes carry the session. */
    private Flow<ByteString, ByteString, NotUsed> overTls(
        Flow<ByteString, ByteString, NotUsed> application, ConnectionAuthenticator authenticator) {
      SSLContext context = security.sslContext().orElseThrow();
      SslSettings ssl = security.ssl().orElseThrow();
      AtomicBoolean established = new AtomicBoolean();
      Flow<SslTlsInbound, SslTlsOutbound, NotUsed> sessions = Flow.of(SslTlsInbound.class)
          .filter(inbound -> inbound instanceof SessionBytes)
          .map(inbound -> {
            SessionBytes bytes = (SessionBytes) inbound;
            if (established.compareAndSet(false, true)) {
              authenticator.tlsEstablished(bytes.session(), ssl);
            }
            return bytes.bytes();
          })
          .via(application)
          .map(bytes -> (SslTlsOutbound) new SendBytes(bytes));
      // A client half-closing its side still gets the answers to what it sent.
      return TLS.create(() -> ssl.serverEngine(context, !listener.usesSasl()), IgnoreComplete$.MODULE$).reversed().join(sessions);
    }

    private Source<ByteString, NotUsed> closeAfter(Throwable failure, InetSocketAddress peer) {
      if (failure instanceof FramingException) {
        log.warn("Closing Kafka connection from {} on listener {}: {}", peer, listener.name(), failure.getMessage());
      } else if (failure instanceof TimeoutException) {
        log.debug("Closing idle Kafka connection from {}", peer);
      } else if (failure instanceof AuthenticationTimeout || failure instanceof SSLException) {
        log.info("Closing Kafka connection from {} on listener {}: {}", peer, listener.name(), failure.getMessage());
      } else if (failure instanceof StreamTcpException) {
        log.debug("Kafka connection from {} failed: {}", peer, failure.getMessage());
      } else {
        Throwable reason = failure instanceof CompletionException ? failure.getCause() : failure;
        log.warn("Closing Kafka connection from {}: {}", peer, reason.getMessage());
      }
      return Source.empty();
    }
  }

  /** A connection that did not finish its TLS handshake and SASL authentication in time. */
  private static final class AuthenticationTimeout extends RuntimeException {
    AuthenticationTimeout(Duration timeout) {
      super("not authenticated within " + timeout.toMillis() + " ms", null, false, false);
    }
  }

  /**
   * Passes bytes through but cancels its upstream as a plain cancellation whatever the reason: the
   * TCP stage answers a cancellation carrying a failure with a reset, and a client that sent bad
   * input or went idle should see an orderly close.
   */
  private static final class CancelWithoutFailure
      extends GraphStage<FlowShape<ByteString, ByteString>> {

    private final Inlet<ByteString> in = Inlet.create("CancelWithoutFailure.in");
    private final Outlet<ByteString> out = Outlet.create("CancelWithoutFailure.out");
    private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);

    @Override
    public FlowShape<ByteString, ByteString> shape() {
      return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes inheritedAttributes) {
      return new GraphStageLogic(shape) {
        {
          setHandler(
              in,
              new AbstractInHandler() {
                @Override
                public void onPush() {
                  push(out, grab(in));
                }
              });
          setHandler(
              out,
              new AbstractOutHandler() {
                @Override
                public void onPull() {
                  pull(in);
                }

                @Override
                public void onDownstreamFinish(Throwable cause) {
                  completeStage();
                }
              });
        }
      };
    }
  }
}
