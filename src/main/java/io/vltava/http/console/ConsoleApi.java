package io.vltava.http.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON API behind the console's pages, under {@code /api/}. Each request is handed to the
 * console's own threads (a bounded pool and queue), so the HTTP server's threads, which also
 * answer health probes, never wait on the cluster; a full queue answers 503. Reads are GET,
 * changes POST or DELETE with a JSON body ({@code Content-Type: application/json}, which a
 * cross-site form cannot send). Every error is a JSON object {@code {"error": "..."}} with a 4xx
 * status for bad input, 5xx when the node does not answer.
 */
final class ConsoleApi implements HttpHandler {
  private static final java.time.Duration NEW_TOPIC_PROPAGATION = java.time.Duration.ofSeconds(3);

  private static final Logger log = LoggerFactory.getLogger(ConsoleApi.class);
  static final String PREFIX = "/api/";
  private static final String JSON = "application/json; charset=utf-8";
  private static final int MAX_BODY_BYTES = 1024 * 1024;

  private final WebConsole console;
  private final ExecutorService executor;
  private final ObjectMapper json = new ObjectMapper();

  ConsoleApi(WebConsole console, ExecutorService executor) {
    this.console = console;
    this.executor = executor;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try {
      executor.execute(() -> serve(exchange));
    } catch (RejectedExecutionException e) {
      String reason = console.stopped() ? "the node is stopping" : "the console is busy; try again shortly";
      respond(exchange, 503, Map.of("error", reason), null);
    }
  }

  private void serve(HttpExchange exchange) {
    int status = 200;
    String allow = null;
    Object body;
    try {
      body = route(exchange);
    } catch (ApiException e) {
      status = e.status();
      allow = e.allow();
      body = Map.of("error", e.getMessage());
    } catch (RuntimeException e) {
      log.warn("Console request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
      status = 500;
      body = Map.of("error", "internal error: " + e);
    }
    try {
      respond(exchange, status, body, allow);
    } catch (IOException e) {
      log.debug("Could not answer console request {}: {}", exchange.getRequestURI(), e.toString());
    }
  }

  private Object route(HttpExchange exchange) {
    List<String> path = segments(exchange.getRequestURI().getRawPath());
    String method = exchange.getRequestMethod();
    QueryParameters query = QueryParameters.parse(exchange.getRequestURI().getRawQuery());
    String resource = path.isEmpty() ? "" : path.get(0);
    switch (resource) {
      case "cluster":
        expect(path, 1, method, "GET");
        return console.cluster();
      case "throughput":
        expect(path, 1, method, "GET");
        return Map.of("rates", console.throughput());
      case "progress":
        expect(path, 1, method, "GET");
        return console.progress();
      case "messages":
        expect(path, 1, method, "GET");
        return console.kafka().browse(BrowseQuery.parse(query, console.settings().browseMaxRecords()));
      case "topics":
        return topics(exchange, path, method);
      case "groups":
        return groups(exchange, path, method);
      default:
        throw ApiException.notFound("no API at " + exchange.getRequestURI().getPath());
    }
  }

  private Object topics(HttpExchange exchange, List<String> path, String method) {
    KafkaView kafka = console.kafka();
    if (path.size() == 1) {
      if (method.equals("POST")) {
        return kafka.createTopic(TopicChanges.newTopic(body(exchange)));
      }
      expect(path, 1, method, "GET, POST");
      return Map.of("topics", kafka.topics());
    }
    String name = path.get(1);
    if (path.size() == 3 && path.get(2).equals("configs")) {
      expect(path, 3, method, "POST");
      return Map.of("configs", kafka.alterTopicConfigs(name, TopicChanges.configChanges(body(exchange))));
    }
    if (method.equals("DELETE") && path.size() == 2) {
      kafka.deleteTopic(name);
      return Map.of("deleted", name);
    }
    expect(path, 2, method, "GET, DELETE");
    // The page opens a topic right after creating it, maybe through a broker that has not heard yet.
    return kafka.topicOnceKnown(name, NEW_TOPIC_PROPAGATION);
  }

  private Object groups(HttpExchange exchange, List<String> path, String method) {
    KafkaView kafka = console.kafka();
    if (path.size() == 1) {
      expect(path, 1, method, "GET");
      return Map.of("groups", kafka.groups());
    }
    String id = path.get(1);
    if (path.size() == 3 && path.get(2).equals("reset-offsets")) {
      expect(path, 3, method, "POST");
      return kafka.resetOffsets(id, OffsetReset.parse(body(exchange)));
    }
    expect(path, 2, method, "GET");
    return kafka.group(id);
  }

  /** Fails with 404 when the path has another length, 405 when the method is not one of {@code allowed}. */
  private static void expect(List<String> path, int length, String method, String allowed) {
    if (path.size() != length) {
      throw ApiException.notFound("no API at /api/" + String.join("/", path));
    }
    if (!List.of(allowed.split(", ")).contains(method)) {
      throw ApiException.methodNotAllowed(method, allowed);
    }
  }

  private JsonNode body(HttpExchange exchange) {
    String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
    if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      throw new ApiException(415, "the request body must be JSON (Content-Type: application/json)");
    }
    byte[] bytes;
    try (InputStream in = exchange.getRequestBody()) {
      bytes = in.readNBytes(MAX_BODY_BYTES + 1);
    } catch (IOException e) {
      throw ApiException.badRequest("could not read the request body: " + e.getMessage());
    }
    if (bytes.length > MAX_BODY_BYTES) {
      throw new ApiException(413, "the request body is larger than " + MAX_BODY_BYTES + " bytes");
    }
    try {
      return json.readTree(bytes);
    } catch (IOException e) {
      throw ApiException.badRequest("malformed JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  /** The path's segments after {@code /api/}, each URL-decoded (a group id may hold any character). */
  static List<String> segments(String rawPath) {
    List<String> segments = new ArrayList<>();
    for (String segment : rawPath.substring(PREFIX.length()).split("/")) {
      if (!segment.isEmpty()) {
        segments.add(QueryParameters.decode(segment));
      }
    }
    return segments;
  }

  private void respond(HttpExchange exchange, int status, Object body, String allow) throws IOException {
    try (exchange) {
      byte[] bytes;
      try {
        bytes = json.writeValueAsBytes(body);
      } catch (JsonProcessingException e) {
        log.warn("Could not write a console answer as JSON", e);
        status = 500;
        bytes = "{\"error\":\"could not write the answer as JSON\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      }
      exchange.getResponseHeaders().set("Content-Type", JSON);
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      if (allow != null) {
        exchange.getResponseHeaders().set("Allow", allow);
      }
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
