package io.vltava.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.node.TestNodes;
import io.vltava.node.VltavaNode;
import io.vltava.persistence.JournalPluginTest.Notebook;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Entities of a broker that is killed with SIGKILL mid-write recover every acknowledged event:
 * the writer runs in a child JVM ({@link Writer}) and reports each acknowledgement on stdout.
 */
class JournalCrashTest {
  private static final int BOOKS = 8;
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  @TempDir Path dataDir;

  /** The child JVM: writes lines to {@value #BOOKS} notebooks forever, printing "acked book-e line-i" per write. */
  public static final class Writer {
    public static void main(String[] args) throws Exception {
      VltavaNode node = TestNodes.start(Path.of(args[0]));
      List<ActorRef<Notebook.Command>> books = new ArrayList<>();
      for (int e = 0; e < BOOKS; e++) {
        books.add(node.system().systemActorOf(Notebook.create("book-" + e), "book-" + e, Props.empty()));
      }
      for (int line = 0; ; line++) {
        for (int e = 0; e < BOOKS; e++) {
          String text = "line-" + line;
          AskPattern.<Notebook.Command, Done>ask(books.get(e), replyTo -> new Notebook.Write(text, replyTo), TIMEOUT,
              node.system().scheduler()).toCompletableFuture().get();
          System.out.println("acked book-" + e + " " + text);
        }
      }
    }
  }

  @Test
  void acknowledgedEventsSurviveASigkill() throws Exception {
    Process child = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx512m",
        "-cp", System.getProperty("java.class.path"), Writer.class.getName(), dataDir.toString())
        .redirectErrorStream(true).start();
    Map<String, List<String>> acked = new ConcurrentHashMap<>();
    CountDownLatch enough = new CountDownLatch(400);
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          if (line.startsWith("acked ")) {
            String[] parts = line.split(" ");
            acked.computeIfAbsent(parts[1], k -> new ArrayList<>()).add(parts[2]);
            enough.countDown();
          }
        }
      } catch (java.io.IOException e) {
        // The child is gone.
      }
    });
    reader.start();
    try {
      assertTrue(enough.await(60, TimeUnit.SECONDS), "the writer acknowledged 400 events");
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
      reader.join(10_000);
    }

    try (VltavaNode node = TestNodes.start(dataDir)) {
      for (int e = 0; e < BOOKS; e++) {
        ActorRef<Notebook.Command> book = node.system().systemActorOf(Notebook.create("book-" + e), "book-" + e, Props.empty());
        List<String> recovered = AskPattern.<Notebook.Command, List<String>>ask(book, Notebook.Read::new, TIMEOUT,
            node.system().scheduler()).toCompletableFuture().get();
        List<String> acknowledged = acked.getOrDefault("book-" + e, List.of());
        // Writes are sequential per entity: at most the one write in flight at the kill may also be there.
        assertEquals(acknowledged, recovered.subList(0, acknowledged.size()), "book-" + e);
        assertTrue(recovered.size() <= acknowledged.size() + 1, "book-" + e + " has no events it never wrote");
      }
    }
  }
}
