package io.vltava.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class DirectCompletionTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** Holds the question until released, so the dependent stage is attached before the answer. */
  private record Question(ActorRef<String> replyTo) {}

  @Test
  void dependentStagesRunOnTheThreadThatAnswered() throws Exception {
    AtomicReference<String> answeredOn = new AtomicReference<>();
    AtomicReference<ActorRef<String>> asker = new AtomicReference<>();
    ActorRef<Object> answerer = testKit.spawn(Behaviors.receiveMessage(message -> {
      if (message instanceof Question question) {
        asker.set(question.replyTo());
      } else {
        answeredOn.set(Thread.currentThread().getName());
        asker.get().tell("answer");
      }
      return Behaviors.same();
    }));
    CompletableFuture<String> ranOn = DirectCompletion
        .of(AskPattern.<Object, String>ask(answerer, Question::new, Duration.ofSeconds(5), testKit.scheduler()))
        .thenApply(answer -> answer + " on " + Thread.currentThread().getName());
    answerer.tell("release");
    String result = ranOn.get(5, TimeUnit.SECONDS);
    assertNotNull(answeredOn.get());
    assertEquals("answer on " + answeredOn.get(), result);
  }

  @Test
  void aFailedAskFailsTheDirectFuture() {
    ActorRef<ActorRef<String>> silent = testKit.spawn(Behaviors.receiveMessage(replyTo -> Behaviors.same()));
    CompletableFuture<String> answer = DirectCompletion.of(
        AskPattern.<ActorRef<String>, String>ask(silent, replyTo -> replyTo, Duration.ofMillis(50), testKit.scheduler()));
    ExecutionException failed = assertThrows(ExecutionException.class, () -> answer.get(5, TimeUnit.SECONDS));
    assertInstanceOf(TimeoutException.class, failed.getCause());
  }
}
