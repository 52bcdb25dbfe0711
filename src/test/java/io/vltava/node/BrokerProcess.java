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
  /** The ready line names every listener, "[NAME://host:port, ...]"; tests connect to the first. */
  private static final Pattern READY = Pattern.compile("ready: Kafka listener on ([^:]+):(\\d+) \\([^)]*\\).*?, HTTP on ([^,]+),");

  private static final int OUTPUT_LINES_KEPT = 5000;
  private static final Path LOG_DIR = Path.of("target", "broker-processes");

  private final Process process;
  /** Completes with the addresses the ready line names. */
  private final CompletableFuture<Endpoints> ready;
  private final java.util.Deque<String> output;

  /** "host:port" of the Kafka listener and of the HTTP endpoint. */
  private record Endpoints(String kafka, String http) {}

  private BrokerProcess(Process process, CompletableFuture<Endpoints> ready, java.util.Deque<String> output) {
    this.process = process;
    this.ready = ready;
    this.output = output;
  }

  /** Runs {@code Main broker} from the test classpath and waits until it serves clients. */
  static BrokerProcess start(Path dataDir, String... extraArgs) throws Exception {
    BrokerProcess broker = spawn(dataDir, extraArgs);
    broker.awaitReady(Duration.ofSeconds(60));
    return broker;
  }

  /** Runs {@code Main broker} from the test classpath and returns at once, ready or not. */
  static BrokerProcess spawn(Path dataDir, String... extraArgs) throws IOException {
    return launch(List.of("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "-Dlogback.configurationFile=logback.xml", "-cp", System.getProperty("java.class.path"), "io.vltava.cli.Main"),
        dataDir, extraArgs);
  }

  /** Runs the packaged fat jar exactly as the README's quick start does. */
  static BrokerProcess startJar(Path jar, Path dataDir, String... extraArgs) throws Exception {
    BrokerProcess broker = spawnJar(jar, dataDir, extraArgs);
    broker.awaitReady(Duration.ofSeconds(60));
    return broker;
  }

  /** Runs the packaged fat jar and returns at once, ready or not. */
  static BrokerProcess spawnJar(Path jar, Path dataDir, String... extraArgs) throws IOException {
    return launch(List.of("-jar", jar.toString()), dataDir, extraArgs);
  }

  private static BrokerProcess launch(List<String> javaArgs, Path dataDir, String... extraArgs) throws IOException {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.addAll(javaArgs);
    command.addAll(List.of("broker", "--data-dir", dataDir.toString()));
    // Free ports unless the test fixes them (picocli refuses an option given twice).
    List<String> given = List.of(extraArgs);
    if (!given.contains("--port")) {
      command.addAll(List.of("--port", "0"));
    }
    if (!given.contains("--http-port")) {
      command.addAll(List.of("--http-port", "0"));
    }
    command.addAll(given);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    CompletableFuture<Endpoints> ready = new CompletableFuture<>();
    java.util.Deque<String> output = new java.util.concurrent.ConcurrentLinkedDeque<>();
    // Kept after the test's temporary directories are gone, for reading what a failed test's broker did.
    Path logFile = LOG_DIR.resolve(dataDir.getFileName() + "-" + process.pid() + ".log");
    java.nio.file.Files.createDirectories(LOG_DIR);
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
          java.io.Writer log = java.nio.file.Files.newBufferedWriter(logFile, StandardCharsets.UTF_8)) {
        String line;
        while ((line = lines.readLine()) != null) {
          log.write(line);
          log.write('\n');
          log.flush();
          output.addLast(line);
          if (output.size() > OUTPUT_LINES_KEPT) {
            output.pollFirst();
          }
          Matcher m = READY.matcher(line);
          if (m.find()) {
            ready.complete(new Endpoints(m.group(1) + ":" + m.group(2), m.group(3)));
          }
        }
        ready.completeExceptionally(new IllegalStateException("broker exited before it was ready"));
      } catch (IOException e) {
        ready.completeExceptionally(e);
      }
    }, "broker-process-output");
    reader.setDaemon(true);
    reader.start();
    return new BrokerProcess(process, ready, output);
  }

  /** Waits until the broker serves clients; kills it if it does not within {@code timeout}. */
  void awaitReady(Duration timeout) throws Exception {
    try {
      ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      process.destroyForcibly();
      throw e;
    }
  }

  boolean isReady() {
    return ready.isDone() && !ready.isCompletedExceptionally();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Whether the broker has printed a line containing {@code text} (of its last few thousand lines). */
  boolean hasPrinted(String text) {
    return timesPrinted(text) > 0;
  }

  /** How many of its last few thousand lines contain {@code text}. */
  long timesPrinted(String text) {
    return output.stream().filter(line -> line.contains(text)).count();
  }

  String bootstrapServers() {
    return ready.join().kafka();
  }

  /** The HTTP endpoint's "host:port", as the ready line names it. */
  String httpAddress() {
    return ready.join().http();
  }

  /** SIGSTOP: the process stays but answers nothing, as a long GC pause or a frozen VM. */
  void pause() throws Exception {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause}. */
  void resume() throws Exception {
    signal("CONT");
  }

  private void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  /** Waits for the process to end by itself and returns its exit code. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("broker did not exit within " + timeout);
    }
    return process.exitValue();
  }

  /** SIGKILL: no shutdown hook, no flush, no clean-shutdown marker. */
  void crash() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /**
   * SIGTERM, then the exit code. Sent with kill(1), as a supervisor does: Process.destroy() would
   * also close the pipes, and the broker's log of its own shutdown would be lost.
   */
  int terminate(Duration timeout) throws Exception {
    signal("TERM");
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
