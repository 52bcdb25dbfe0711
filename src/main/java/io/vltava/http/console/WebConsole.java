package io.vltava.http.console;

import io.vltava.http.HttpEndpoint;
import io.vltava.http.NodeMetrics;
import io.vltava.http.Readiness;
import io.vltava.metadata.MetadataCache;
import io.vltava.replica.ReplicationProgress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console a node serves on its HTTP endpoint: the pages at {@code /} ({@link ConsoleAssets})
 * and their JSON API at {@code /api/} ({@link ConsoleApi}). Cluster, topics, groups and messages
 * come through the Kafka protocol from this node's own PLAINTEXT listener ({@link KafkaView}), without
 * credentials; on a node without one, whatever needs the cluster answers 503 saying why. Membership
 * and roles come from Pekko, the throughput charts from the node's metrics and the progress of long
 * operations from its replicas, both sampled every second. Started once the Kafka listeners are
 * bound; stopped when the node begins to stop (the API then answers 503).
 */
public final class WebConsole implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WebConsole.class);
  private static final long THROUGHPUT_SAMPLE_MS = 1000;
  /** Five minutes of one-second samples. */
  private static final int THROUGHPUT_SAMPLES = 301;
  /** The catch-up rate is measured over the last 30 s: steady enough for a time to go, recent enough to follow changes. */
  private static final long CATCH_UP_RATE_WINDOW_MS = 30_000;

  static final String NO_PLAINTEXT_LISTENER = "the web console is unavailable on this node: it reaches the cluster without"
      + " credentials, through a PLAINTEXT listener, and every listener of this node needs TLS or SASL";

  /** Empty on a node without a PLAINTEXT listener. */
  private final ConsoleSettings settings;
  private final Optional<KafkaView> kafka;
  private final Supplier<List<ClusterNodes.Member>> members;
  private final MetadataCache metadata;
  private final Readiness readiness;
  private final ThroughputHistory throughput = new ThroughputHistory(THROUGHPUT_SAMPLES);
  private final ReplicationProgress progress;
  private final ProgressView progressView = new ProgressView(CATCH_UP_RATE_WINDOW_MS);
  private final ExecutorService apiExecutor;
  private final ScheduledExecutorService sampler;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** What the cluster page shows; {@code notReadyReason} is this node's, null once it is ready. */
  record ClusterPage(String clusterId, int controllerId, int thisNodeId, String notReadyReason, List<ClusterNodes.Node> nodes) {}

  private WebConsole(ConsoleSettings settings, Optional<KafkaView> kafka, Supplier<List<ClusterNodes.Member>> members,
      MetadataCache metadata, Readiness readiness, ReplicationProgress progress) {
    this.settings = settings;
    this.progress = progress;
    this.kafka = kafka;
    this.members = members;
    this.metadata = metadata;
    this.readiness = readiness;
    // Requests beyond the threads and queue are answered 503 (see ConsoleApi).
    this.apiExecutor = new ThreadPoolExecutor(settings.apiThreads(), settings.apiThreads(), 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(settings.apiQueue()), daemonThreads("vltava-console"));
    this.sampler = Executors.newSingleThreadScheduledExecutor(daemonThreads("vltava-console-sampler"));
  }

  /**
   * Serves the console on {@code endpoint}, talking to the cluster through the PLAINTEXT listener at
   * {@code plaintextBootstrapServers} (empty when the node has none); it stops when the endpoint closes.
   */
  public static WebConsole mount(HttpEndpoint endpoint, ConsoleSettings settings, Optional<String> plaintextBootstrapServers,
      ActorSystem<?> system, MetadataCache metadata, Readiness readiness, NodeMetrics metrics, ReplicationProgress progress) {
    WebConsole console = new WebConsole(settings, plaintextBootstrapServers.map(servers -> new KafkaView(servers, settings)),
        new ClusterMembers(system, metadata), metadata, readiness, progress);
    console.sampler.scheduleAtFixedRate(() -> {
      // A task that throws is never run again: charts would freeze without a word.
      try {
        console.throughput.add(metrics.throughput());
        console.progressView.sample(progress.catchUp().followers(), System.currentTimeMillis());
      } catch (RuntimeException e) {
        log.warn("Console sample failed; the next one is in {} ms", THROUGHPUT_SAMPLE_MS, e);
      }
    }, 0, THROUGHPUT_SAMPLE_MS, TimeUnit.MILLISECONDS);
    endpoint.closeWith(console);
    // Before the Kafka listener unbinds, so that its clients do not retry a closed port while the node drains.
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "web-console-stop", () -> {
      console.close();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    endpoint.mount(ConsoleApi.PREFIX, new ConsoleApi(console, console.apiExecutor));
    endpoint.mount("/", new ConsoleAssets());
    return console;
  }

  boolean stopped() {
    return closed.get();
  }

  ConsoleSettings settings() {
    return settings;
  }

  /** The console's Kafka clients, or a 503 on a node that has no PLAINTEXT listener for them. */
  KafkaView kafka() {
    return kafka.orElseThrow(() -> new ApiException(503, NO_PLAINTEXT_LISTENER));
  }

  ClusterPage cluster() {
    KafkaView.Cluster cluster = kafka().cluster();
    int localNodeId = metadata.localNodeId();
    return new ClusterPage(cluster.clusterId(), cluster.controllerId(), localNodeId, readiness.whyNotReady().orElse(null),
        ClusterNodes.join(cluster.brokers(), cluster.controllerId(), members.get(), localNodeId));
  }

  /** This node's long operations now: its log recovery, the followers catching up with it, the cluster's reassignments. */
  ProgressView.Page progress() {
    return progressView.page(progress.recovery().snapshot(), progress.catchUp().followers(), metadata.current());
  }

  List<ThroughputHistory.Rate> throughput() {
    return throughput.rates();
  }

  private static ThreadFactory daemonThreads(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      sampler.shutdownNow();
      apiExecutor.shutdownNow();
      kafka.ifPresent(KafkaView::close);
    }
  }
}
