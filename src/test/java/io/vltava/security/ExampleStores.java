package io.vltava.security;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The keystores of examples/secure, made by its setup.sh (keytool) into a test's directory; every password is "changeit". */
public final class ExampleStores {
  private ExampleStores() {}

  public static final String PASSWORD = "changeit";

  /** Runs setup.sh into {@code dir}: node.keystore.p12, client.truststore.p12, ca.crt. */
  public static void create(Path dir) throws Exception {
    Path log = dir.resolve("setup.log");
    // Into a file, not the test JVM's stdout, which Surefire reads as its channel.
    Process setup = new ProcessBuilder("sh", "examples/secure/setup.sh", dir.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    // A bound on a stuck keytool, not a speed check: its key generation takes a minute on a busy 2-core machine.
    boolean finished = setup.waitFor(180, TimeUnit.SECONDS);
    assertTrue(finished && setup.exitValue() == 0, "setup.sh failed:\n" + Files.readString(log));
  }
}
