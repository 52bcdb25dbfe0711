package io.vltava.http.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's pages, scripts and styles, served from the jar: {@code /} is
 * {@code console/index.html}, {@code /console/*} the files beside it, {@code /vendor/uplot/*} the
 * uPlot WebJar's {@code dist} files. Nothing else is served (no directory walks). Files are read
 * once and kept in memory. Thread-safe.
 */
final class ConsoleAssets implements HttpHandler {
  private static final String CONSOLE = "console/";
  private static final String UPLOT = "/vendor/uplot/";
  private static final Map<String, String> CONTENT_TYPES = Map.of(
      "html", "text/html; charset=utf-8",
      "js", "text/javascript; charset=utf-8",
      "css", "text/css; charset=utf-8",
      "svg", "image/svg+xml",
      "png", "image/png");

  private final String uplotDir = "META-INF/resources/webjars/uplot/" + webJarVersion("uplot") + "/dist/";
  private final Map<String, Optional<byte[]>> cache = new ConcurrentHashMap<>();

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      String path = exchange.getRequestURI().getPath();
      Optional<String> resource = resourceOf(path);
      Optional<byte[]> bytes = resource.flatMap(name -> cache.computeIfAbsent(name, ConsoleAssets::read));
      if (bytes.isEmpty()) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPES.get(extension(resource.get())));
      // Assets change with the jar only; revalidating each load keeps an upgraded node's console current.
      exchange.getResponseHeaders().set("Cache-Control", "no-cache");
      exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
      boolean head = method.equals("HEAD");
      exchange.sendResponseHeaders(200, head ? -1 : bytes.get().length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes.get());
        }
      }
    }
  }

  /** The class-path resource a request path names, if it names one the console serves. */
  Optional<String> resourceOf(String path) {
    if (path.equals("/") || path.equals("/index.html")) {
      return Optional.of(CONSOLE + "index.html");
    }
    // Only files of the known kinds: no walking up, and no directory (whose resource may list its files).
    if (path.contains("..") || path.contains("//") || !CONTENT_TYPES.containsKey(extension(path))) {
      return Optional.empty();
    }
    if (path.startsWith("/" + CONSOLE)) {
      return Optional.of(path.substring(1));
    }
    if (path.startsWith(UPLOT)) {
      return Optional.of(uplotDir + path.substring(UPLOT.length()));
    }
    return Optional.empty();
  }

  private static String extension(String path) {
    int dot = path.lastIndexOf('.');
    return dot < path.lastIndexOf('/') + 1 ? "" : path.substring(dot + 1);
  }

  private static Optional<byte[]> read(String resource) {
    try (InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream(resource)) {
      return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The version of a WebJar on the class path, from its Maven properties, so the pom names it once. */
  private static String webJarVersion(String artifactId) {
    String properties = "META-INF/maven/org.webjars.npm/" + artifactId + "/pom.properties";
    try (InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream(properties)) {
      if (in == null) {
        throw new IllegalStateException("the WebJar " + artifactId + " is not on the class path");
      }
      Properties values = new Properties();
      values.load(in);
      return values.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
