package io.vltava.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Apache Kafka's own command-line tools (kafka-tools 4.3.1, the classes behind
 * {@code bin/kafka-*.sh}) in a child JVM, as an operator would run them, and returns their exit code
 * and output. The classpath is resolved by Maven into {@code target/kafka-tools.classpath} (the
 * {@code kafka-tools-classpath} profile of pom.xml), so the tools' dependencies never mix with the
 * test's. Each run is bounded by a timeout, after which the tool is killed and the test fails.
 */
public final class KafkaTools {
  public static final String LOG_DIRS = "org.apache.kafka.tools.LogDirsCommand";
  public static final String FEATURES = "org.apache.kafka.tools.FeatureCommand";
  public static final String LEADER_ELECTION = "org.apache.kafka.tools.LeaderElectionCommand";
  public static final String TRANSACTIONS = "org.apache.kafka.tools.TransactionsCommand";
  public static final String ACLS = "org.apache.kafka.tools.AclCommand";
  public static final String REASSIGN_PARTITIONS = "org.apache.kafka.tools.reassign.ReassignPartitionsCommand";

  private static final Path CLASSPATH_FILE = Path.of("target", "kafka-tools.classpath");
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(90);

  private KafkaTools() {}

  /** What a tool printed and how it exited. */
  public record Result(int exitCode, String stdout, String stderr) {
    /** Fails with the tool's whole output unless it exited 0. */
    public Result assertSuccess() {
      if (exitCode != 0) {
        throw new AssertionError("tool exited " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr);
      }
      return this;
    }
  }

  /** Runs {@code mainClass} with {@code args}, e.g. {@code run(LOG_DIRS, "--bootstrap-server", servers, "--describe")}. */
  public static Result run(String mainClass, String... args) throws IOException, InterruptedException {
    return run(DEFAULT_TIMEOUT, mainClass, args);
  }

  public static Result run(Duration timeout, String mainClass, String... args) throws IOException, InterruptedException {
    if (!Files.exists(CLASSPATH_FILE)) {
      throw new IllegalStateException(CLASSPATH_FILE + " is missing: run the build through Maven (mvn test-compile), which writes it");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // A tool is a short-lived client: a small heap and the quick JIT tier keep its start cheap on 2 cores.
    command.addAll(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    command.addAll(List.of("-cp", Files.readString(CLASSPATH_FILE).trim(), mainClass));
    command.addAll(List.of(args));
    Path stdout = Files.createTempFile("kafka-tool-", ".out");
    Path stderr = Files.createTempFile("kafka-tool-", ".err");
    try {
      Process process = new ProcessBuilder(command)
          .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
      process.getOutputStream().close(); // no input: a tool that prompts sees end of input at once
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
        throw new AssertionError(mainClass + " did not finish within " + timeout + "\nstdout:\n" + read(stdout) + "\nstderr:\n" + read(stderr));
      }
      return new Result(process.exitValue(), read(stdout), read(stderr));
    } finally {
      Files.deleteIfExists(stdout);
      Files.deleteIfExists(stderr);
    }
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }
}
