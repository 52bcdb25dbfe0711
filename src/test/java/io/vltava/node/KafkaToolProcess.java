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
 * Runs one of Kafka's command-line tools (kafka-tools 4.3.1, a test dependency) in a child JVM on
 * the test classpath, as an operator's shell would: its own process, its own stdout, its exit code.
 */
final class KafkaToolProcess {
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(120);

  private KafkaToolProcess() {}

  /** What the tool printed (stdout and stderr) and how it exited. */
  record Result(int exitCode, String output) {}

  /** Runs {@code mainClass} with {@code args}; fails if it does not end within two minutes. */
  static Result run(String mainClass, String... args) throws IOException, InterruptedException {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-cp", classpath, mainClass));
    command.addAll(List.of(args));
    // Output goes to a file, not a pipe: a pipe nobody reads would block a chatty tool.
    Path output = Files.createTempFile("kafka-tool-", ".out");
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
      if (!process.waitFor(TOOL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(mainClass + " did not end within " + TOOL_TIMEOUT);
      }
      return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(output);
    }
  }
}
