package io.vltava.clients;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs one client-matrix driver as its own OS process and returns the JSON lines it printed. A
 * driver that exits non-zero, prints something that is not JSON, or outlives its timeout fails the
 * test, with the tail of its stderr in the message.
 */
public final class DriverProcess {
  /** Where the drivers of other clients live (run from the repository root). */
  public static final Path CLIENTS_DIR = Path.of("src", "test", "clients");
  /** Where maven-dependency-plugin puts older kafka-clients jars (see pom.xml), and where each driver's output is kept. */
  public static final Path MATRIX_DIR = Path.of(System.getProperty("client.matrix.dir", "target/client-matrix"));

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int STDERR_TAIL_CHARS = 6000;

  private DriverProcess() {}

  /** Runs {@code command}, keeping its output in {@code outputDir} as {@code name.out} and {@code name.err}. */
  public static List<JsonNode> run(List<String> command, Path outputDir, String name, Duration timeout) throws Exception {
    Files.createDirectories(outputDir);
    Path stdout = outputDir.resolve(name + ".out");
    Path stderr = outputDir.resolve(name + ".err");
    // Files rather than pipes: a chatty driver can never block on a full pipe while we wait.
    Process process = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile())
        .start();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      fail("driver did not finish within " + timeout + ": " + command + "\n" + tail(stderr) + lastLines(stdout));
    }
    if (process.exitValue() != 0) {
      fail("driver exited " + process.exitValue() + ": " + command + "\n" + tail(stderr) + lastLines(stdout));
    }
    List<JsonNode> events = new ArrayList<>();
    for (String line : Files.readAllLines(stdout, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        try {
          events.add(JSON.readTree(line));
        } catch (IOException e) {
          fail("driver printed a line that is not JSON: " + line + "\n" + tail(stderr));
        }
      }
    }
    return events;
  }

  private static String tail(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    return "--- stderr (tail) ---\n" + text.substring(Math.max(0, text.length() - STDERR_TAIL_CHARS));
  }

  private static String lastLines(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    return "\n--- stdout (last lines) ---\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
  }

  /**
   * The command that runs {@code main} (a driver among these test classes) in a child JVM with
   * kafka-clients {@code version} and its run-time dependencies instead of this build's; skips the
   * test when the jars have not been copied.
   */
  public static List<String> kafkaClientsDriver(String version, Class<?> main) throws Exception {
    Path jars = MATRIX_DIR.resolve("kafka-clients-" + version);
    requireClient(Files.isDirectory(jars), "kafka-clients " + version + " jars in " + jars,
        "mvn generate-test-resources (maven-dependency-plugin copies them)");
    List<String> classpath = new ArrayList<>();
    classpath.add(Path.of(main.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
    try (java.util.stream.Stream<Path> files = Files.list(jars)) {
      files.filter(f -> f.toString().endsWith(".jar")).sorted().forEach(f -> classpath.add(f.toString()));
    }
    return javaDriver(String.join(File.pathSeparator, classpath), main);
  }

  /** The command that runs {@code main} in a child JVM with {@code classpath}. */
  public static List<String> javaDriver(String classpath, Class<?> main) {
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-cp", classpath, main.getName());
  }

  /** Skips the test (fails it on CI) when a client is not installed, saying how to install it. */
  public static void requireClient(boolean present, String what, String install) {
    if (!present) {
      String message = what + " not found; install with: " + install;
      if ("true".equals(System.getenv("CI"))) {
        fail(message + " (.ci/run installs it)");
      }
      Assumptions.abort(message);
    }
  }

  public static boolean succeeds(List<String> command) throws InterruptedException {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return false;
      }
      return process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    }
  }
}
