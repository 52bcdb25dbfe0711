package io.vltava.kafka;

import io.vltava.kafka.RequestContext.ConnectionIdentity;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
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
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Framing;
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
 * Accepts Kafka-protocol connections and carries each request to its {@link ApiHandler} and the
 * response back. Per connection: 4-byte big-endian size framing, up to max-in-flight requests
 * handled at once, responses written in request order. Input that cannot be parsed closes only
 * the connection it came on.
 */
public final class KafkaListener {

  private static final Logger log = LoggerFactory.getLogger(KafkaListener.class);

  /** Pending-accept queue length; Pekko's default. */
  private static final int BACKLOG = 100;

  private static final int LENGTH_FIELD_BYTES = Integer.BYTES;
  /** The one listener a node has today; Kafka names a plaintext listener so by default. */
  static final String PLAINTEXT_LISTENER = "PLAINTEXT";

  private final Tcp.ServerBinding binding;
  private final CompletionStage<Done> accepting;
  private final Connections connections;

  private KafkaListener(
      Tcp.ServerBinding binding, CompletionStage<Done> accepting, Connections connections) {
    this.binding = binding;
    this.accepting = accepting;
    this.connections = connections;
  }

  /** Binds host:port (port 0 picks a free one); fails if the address cannot be bound. */
  public static CompletionStage<KafkaListener> bind(
      ActorSystem<?> system, ListenerSettings settings, ApiHandlers handlers) {
    return bind(system, settings, handlers, BrokerMetrics.NONE);
  }

  /** As {@link #bind(ActorSystem, ListenerSettings, ApiHandlers)}, reporting every request to {@code metrics}. */
  public static CompletionStage<KafkaListener> bind(
      ActorSystem<?> system, ListenerSettings settings, ApiHandlers handlers, BrokerMetrics metrics) {
    Connections connections =
        new Connections(
            system, settings, new RequestDispatcher(handlers, system.executionContext(), metrics));
    // halfClose on, so that reading can stop (draining, bad input) while responses are written;
    // the connection closes when the response stream ends.
    Pair<CompletionStage<Tcp.ServerBinding>, CompletionStage<Done>> bound =
        Tcp.get(system)
            .bind(settings.host(), settings.port(), BACKLOG, List.of(), true, Optional.empty())
            .toMat(Sink.foreach(connection -> connections.serve(connection)), Keep.both())
            .run(system);
    return bound
        .first()
        .thenApply(binding -> new KafkaListener(binding, bound.second(), connections));
  }

  public InetSocketAddress boundAddress() {
    return binding.localAddress();
  }

  /** Stops accepting connections; open ones carry on. */
  public CompletionStage<Done> unbind() {
    return binding.unbind().thenApply(unbound -> Done.getInstance());
  }

  /**
   * Orderly stop: unbinds, stops reading requests, answers those in flight and closes each
   * connection once it has; connections still busy after {@code deadline} are closed regardless.
   * Completes when every connection is closed.
   */
  public CompletionStage<Done> shutdown(Duration deadline) {
    return unbind()
        // Once the accept stream is done, every connection it accepted is registered.
        .thenCompose(unbound -> accepting)
        .thenCompose(accepted -> connections.drain(deadline));
  }

  /** The open connections and the switches that end them. */
  private static final class Connections {

    private final ActorSystem<?> system;
    private final ListenerSettings settings;
    private final RequestDispatcher dispatcher;
    /** Stops reading requests; the ones already read are still answered. */
    private final SharedKillSwitch draining = KillSwitches.shared("kafka-listener-draining");
    /** Closes connections at once, dropping whatever is still in flight. */
    private final SharedKillSwitch closing = KillSwitches.shared("kafka-listener-closing");

    private final Set<CompletionStage<Done>> open = ConcurrentHashMap.newKeySet();

    Connections(ActorSystem<?> system, ListenerSettings settings, RequestDispatcher dispatcher) {
      this.system = system;
      this.settings = settings;
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
      ConnectionIdentity identity = ConnectionIdentity.plaintext(PLAINTEXT_LISTENER, peer.getAddress());
      Flow<ByteString, ByteString, NotUsed> requests =
          Flow.of(ByteString.class)
              // The frame and its limit both include the length field; negative sizes fail too.
              .via(
                  Framing.lengthField(
                      LENGTH_FIELD_BYTES,
                      0,
                      settings.socketRequestMaxBytes() + LENGTH_FIELD_BYTES,
                      ByteOrder.BIG_ENDIAN))
              .via(draining.flow())
              .mapAsync(
                  settings.maxInFlightPerConnection(),
                  frame -> dispatcher.respond(frame.drop(LENGTH_FIELD_BYTES), peer, identity))
              .filter(Optional::isPresent)
              .map(Optional::get);
      return Flow.of(ByteString.class)
          .via(new CancelWithoutFailure())
          .via(
              BidiFlow.<ByteString, ByteString>bidirectionalIdleTimeout(
                      settings.connectionsMaxIdle())
                  .join(requests))
          .via(closing.flow())
          // Ending the output normally closes the socket with a FIN after the pending writes.
          .recoverWithRetries(
              1,
              new PFBuilder<Throwable, Graph<SourceShape<ByteString>, NotUsed>>()
                  .matchAny(failure -> closeAfter(failure, peer))
                  .build())
          .watchTermination(Keep.right());
    }

    private Source<ByteString, NotUsed> closeAfter(Throwable failure, InetSocketAddress peer) {
      if (failure instanceof FramingException) {
        // Pekko's message counts the length field in both the size and the limit.
        log.warn(
            "Closing Kafka connection from {}: request size negative or over {} bytes ({})",
            peer,
            settings.socketRequestMaxBytes(),
            failure.getMessage());
      } else if (failure instanceof TimeoutException) {
        log.debug("Closing idle Kafka connection from {}", peer);
      } else if (failure instanceof StreamTcpException) {
        log.debug("Kafka connection from {} failed: {}", peer, failure.getMessage());
      } else {
        Throwable reason = failure instanceof CompletionException ? failure.getCause() : failure;
        log.warn("Closing Kafka connection from {}: {}", peer, reason.getMessage());
      }
      return Source.empty();
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
