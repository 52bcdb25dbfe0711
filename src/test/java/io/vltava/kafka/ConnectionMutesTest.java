package io.vltava.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.kafka.RequestContext.ConnectionIdentity;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A muted connection's requests wait out the mute and start in arrival order; others are not held. */
@Timeout(30)
class ConnectionMutesTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private final ConnectionMutes mutes = new ConnectionMutes(testKit.system().scheduler(), testKit.system().executionContext());

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void anUnmutedConnectionStartsRequestsAtOnceOnTheCallersThread() {
    ConnectionIdentity connection = connection();
    Thread caller = Thread.currentThread();
    List<Thread> ranOn = new CopyOnWriteArrayList<>();
    CompletionStage<String> answer = mutes.inOrder(connection, () -> {
      ranOn.add(Thread.currentThread());
      return CompletableFuture.completedFuture("done");
    });
    assertEquals(List.of(caller), ranOn);
    assertEquals("done", answer.toCompletableFuture().getNow(null));
  }

  @Test
  void aMutedConnectionsRequestsWaitAndKeepTheirOrder() throws Exception {
    ConnectionIdentity muted = connection();
    ConnectionIdentity other = connection();
    long mutedAtNanos = System.nanoTime();
    mutes.mute(muted, Duration.ofSeconds(2));
    List<Integer> started = new CopyOnWriteArrayList<>();
    List<CompletableFuture<Long>> answers = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int request = i;
      answers.add(mutes.inOrder(muted, () -> {
        started.add(request);
        if (request == 1) {
          throw new IllegalStateException("a handler that throws");
        }
        return CompletableFuture.completedFuture(System.nanoTime());
      }).toCompletableFuture());
    }
    assertEquals(List.of(), started, "nothing starts while muted");
    // Another connection (even one with equal identity fields) is not held back.
    assertTrue(mutes.inOrder(other, () -> CompletableFuture.completedFuture(true)).toCompletableFuture().getNow(false));

    answers.get(4).get(10, TimeUnit.SECONDS);
    assertEquals(List.of(0, 1, 2, 3, 4), started, "a request that throws holds up none after it");
    // Its failure may be delivered just after later requests finish (they do not wait for it).
    assertThrows(ExecutionException.class, () -> answers.get(1).get(10, TimeUnit.SECONDS));
    for (CompletableFuture<Long> answer : List.of(answers.get(0), answers.get(2), answers.get(3), answers.get(4))) {
      assertTrue(answer.get() - mutedAtNanos >= Duration.ofMillis(1900).toNanos(), "started after the mute");
    }
    // Once the mute is over and the queue drained, requests run at once again.
    List<Thread> ranOn = new CopyOnWriteArrayList<>();
    mutes.inOrder(muted, () -> {
      ranOn.add(Thread.currentThread());
      return CompletableFuture.completedFuture(null);
    });
    assertEquals(List.of(Thread.currentThread()), ranOn);
  }

  private static ConnectionIdentity connection() {
    return ConnectionIdentity.plaintext("PLAINTEXT", InetAddress.getLoopbackAddress());
  }
}
