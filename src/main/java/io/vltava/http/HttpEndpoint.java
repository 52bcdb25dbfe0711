package io.vltava.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP server: {@code /metrics} (Prometheus text), {@code /health/alive} and
 * {@code /health/ready}, and whatever is {@link #mount mounted} later (the web console). The JDK's
 * server is enough and adds no dependency; it runs on two daemon threads of its own, so a slow
 * scrape never delays a probe for long and nothing runs on Pekko's dispatchers; mounted handlers
 * that may wait hand their work to threads of their own.
 */
public final class HttpEndpoint implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpEndpoint.class);
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final String PLAIN_TEXT = "text/plain; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;
  private final List<AutoCloseable> closeWith = new CopyOnWriteArrayList<>();

  private HttpEndpoint(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Binds host:port (0 = any free port) and serves until {@link #close}; {@code metrics} renders a scrape. */
  public static HttpEndpoint start(String host, int port, Readiness readiness, Supplier<String> metrics) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
    server.createContext("/metrics", exchange -> {
      String text;
      try {
        text = metrics.get();
      } catch (RuntimeException e) {
        log.warn("A metrics scrape failed", e);
        answer(exchange, 500, PLAIN_TEXT, "scrape failed: " + e + "\n");
        return;
      }
      answer(exchange, 200, PROMETHEUS_TEXT, text);
    });
    server.createContext("/health/alive", exchange -> answer(exchange, 200, PLAIN_TEXT, "alive\n"));
    server.createContext("/health/ready", exchange -> {
      var reason = readiness.whyNotReady();
      answer(exchange, reason.isEmpty() ? 200 : 503, PLAIN_TEXT, reason.map(r -> "not ready: " + r + "\n").orElse("ready\n"));
    });
    ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
      Thread thread = new Thread(runnable, "vltava-http");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.start();
    return new HttpEndpoint(server, executor);
  }

  /** Serves {@code path} and every path below it that no other route claims with {@code handler}, from now on. */
  public void mount(String path, HttpHandler handler) {
    server.createContext(path, handler);
  }

  /** Closes {@code resource} when this endpoint closes. */
  public void closeWith(AutoCloseable resource) {
    closeWith.add(resource);
  }

  public InetSocketAddress boundAddress() {
    return server.getAddress();
  }

  private static void answer(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      if (!isExactPath(exchange)) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", contentType);
      boolean head = exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    }
  }

  /** The JDK matches contexts by prefix; {@code /metricsfoo} is not {@code /metrics}. */
  private static boolean isExactPath(HttpExchange exchange) {
    return exchange.getRequestURI().getPath().equals(exchange.getHttpContext().getPath());
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    for (AutoCloseable resource : closeWith) {
      try {
        resource.close();
      } catch (Exception e) {
        log.warn("Closing {} with the HTTP endpoint failed", resource, e);
      }
    }
    closeWith.clear();
  }
}
