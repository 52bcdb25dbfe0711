package io.vltava.node;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A broker in a child JVM, started the way users start one (`Main broker`), so a test can really
 * crash it (SIGKILL) or stop it with SIGTERM and check its exit code.
 */
final class BrokerProcess implements AutoCloseable {
  private static final Pattern READY = Pattern.compile("ready: Kafka listener on ([^:]+):(\\d+)");

  private final Process process;
  private final String bootstrapServers;

  private BrokerProcess(Process process, String bootstrapServers) {
    this.process = process;
    this.bootstrapServers = bootstrapServers;
  }

  /** Runs {@code Main broker} from the test classpath. */
  static BrokerProcess start(Path dataDir, String... extraArgs) throws Exception {
    return launch(List.of("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "-Dlogback.configurationFile=logback.xml", "-cp", System.getProperty("java.class.path"), "io.vltava.cli.Main"),
        dataDir, extraArgs);
  }

  /** Runs the packaged fat jar exactly as the README's quick start does. */
  static BrokerProcess startJar(Path jar, Path dataDir, String... extraArgs) throws Exception {
    return launch(List.of("-jar", jar.toString()), dataDir, extraArgs);
  }

  private static BrokerProcess launch(List<String> javaArgs, Path dataDir, String... extraArgs) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.addAll(javaArgs);
    command.addAll(List.of("broker", "--port", "0", "--data-dir", dataDir.toString()));
    command.addAll(List.of(extraArgs));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    CompletableFuture<String> ready = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          Matcher m = READY.matcher(line);
          if (m.find()) {
            ready.complete(m.group(1) + ":" + m.group(2));
          }
        }
        ready.completeExceptionally(new IllegalStateException("broker exited before it was ready"));
      } catch (IOException e) {
        ready.completeExceptionally(e);
      }
    }, "broker-process-output");
    reader.setDaemon(true);
    reader.start();
    try {
      return new BrokerProcess(process, ready.get(60, TimeUnit.SECONDS));
    } catch (Exception e) {
      process.destroyForcibly();
      throw e;
    }
  }

  String bootstrapServers() {
    return bootstrapServers;
  }

  /** SIGKILL: no shutdown hook, no flush, no clean-shutdown marker. */
  void crash() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, then the exit code. */
  int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("broker did not stop within " + timeout);
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      crash();
    }
  }
}
