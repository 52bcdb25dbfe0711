package io.vltava.clients;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.vltava.node.TestNodes;
import io.vltava.node.VltavaNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client matrix: each client family, a real implementation in its own OS process, runs the
 * same scenario against one node: create a topic, form a two-member consumer group, produce keyed
 * records with headers with an idempotent producer and every codec the client has, read them in
 * the group and commit, produce more; then, in a second process, resume the group from its
 * commits, read from the beginning and from a timestamp, describe and delete the topic.
 * {@link MatrixResults} checks the drivers' JSON lines. A client that is not installed fails the
 * test under CI ({@code CI=true}) and is skipped with the install command elsewhere.
 */
@Tag("client-matrix")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClientMatrixTest {
  private static final Duration DRIVER_TIMEOUT = Duration.ofMinutes(3);
  private static final List<String> ALL_CODECS = List.of("none", "gzip", "snappy", "lz4", "zstd");
  /** kafkajs has gzip built in and snappy and lz4 as pure-JS plugins; its zstd plugin needs a native build. */
  private static final List<String> KAFKAJS_CODECS = List.of("none", "gzip", "snappy", "lz4");
  private static final Path CLIENTS_DIR = Path.of("src", "test", "clients");
  private static final String OLD_KAFKA_CLIENTS = "2.8.2";

  @TempDir static Path dataDir;
  @TempDir static Path workDir;
  static VltavaNode node;

  @BeforeAll
  static void startNode() throws Exception {
    node = TestNodes.start(dataDir, Map.of("vltava.topics.auto.create.topics.enable", false));
  }

  @AfterAll
  static void stopNode() throws Exception {
    node.close();
  }

  @Test
  void kafkaClients431() throws Exception {
    runScenario("kafka-clients-4-3-1", ALL_CODECS, javaDriver(System.getProperty("java.class.path")));
  }

  @Test
  void kafkaClients282() throws Exception {
    Path jars = Path.of(System.getProperty("client.matrix.dir", "target/client-matrix"), "kafka-clients-" + OLD_KAFKA_CLIENTS);
    requireClient(Files.isDirectory(jars), "kafka-clients " + OLD_KAFKA_CLIENTS + " jars in " + jars,
        "mvn generate-test-resources (maven-dependency-plugin copies them)");
    List<String> classpath = new ArrayList<>();
    classpath.add(Path.of(KafkaClientsDriver.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
    try (Stream<Path> files = Files.list(jars)) {
      files.filter(f -> f.toString().endsWith(".jar")).sorted().forEach(f -> classpath.add(f.toString()));
    }
    runScenario("kafka-clients-2-8-2", ALL_CODECS, javaDriver(String.join(java.io.File.pathSeparator, classpath)));
  }

  @Test
  void librdkafkaThroughConfluentKafkaPython() throws Exception {
    // Debian's module is installed for Debian's interpreter, not whichever python3 is first on PATH.
    String python = "/usr/bin/python3";
    requireClient(succeeds(List.of(python, "-c", "import confluent_kafka")), "python3-confluent-kafka (librdkafka)",
        "apt-get install python3-confluent-kafka");
    runScenario("librdkafka", ALL_CODECS, List.of(python, CLIENTS_DIR.resolve("librdkafka/driver.py").toString()));
  }

  @Test
  void kafkajs() throws Exception {
    Path dir = CLIENTS_DIR.resolve("kafkajs");
    requireClient(Files.isDirectory(dir.resolve("node_modules/kafkajs")) && succeeds(List.of("node", "--version")),
        "node and kafkajs", "npm ci --ignore-scripts --prefix " + dir);
    runScenario("kafkajs", KAFKAJS_CODECS, List.of("node", dir.resolve("driver.js").toString()));
  }

  private static List<String> javaDriver(String classpath) {
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", classpath, KafkaClientsDriver.class.getName());
  }

  /** Runs the two driver processes for {@code client} and checks what they report. */
  private static void runScenario(String client, List<String> codecs, List<String> driver) throws Exception {
    MatrixPlan plan = new MatrixPlan("matrix-" + client, "matrix-group-" + client, System.currentTimeMillis(), codecs);
    List<JsonNode> firstRun = DriverProcess.run(command(driver, "produce-and-group", plan), workDir, DRIVER_TIMEOUT);
    List<JsonNode> secondRun = DriverProcess.run(command(driver, "resume", plan), workDir, DRIVER_TIMEOUT);
    MatrixResults.check(plan, firstRun, secondRun);
  }

  private static List<String> command(List<String> driver, String mode, MatrixPlan plan) {
    List<String> command = new ArrayList<>(driver);
    command.add(mode);
    command.add(node.bootstrapServers());
    command.addAll(plan.args());
    return command;
  }

  private static void requireClient(boolean present, String what, String install) {
    if (!present) {
      String message = what + " not found; install with: " + install;
      if ("true".equals(System.getenv("CI"))) {
        fail(message + " (.ci/run installs it)");
      }
      Assumptions.abort(message);
    }
  }

  private static boolean succeeds(List<String> command) throws InterruptedException {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    }
  }
}
