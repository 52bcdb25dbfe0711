package io.vltava.replica;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Pekko's Java ask answers with a Scala-backed {@code CompletableFuture} that runs every dependent
 * stage asynchronously on the JDK's common pool, and with two cores or fewer that pool is a new
 * thread per stage. A produce or a group request would then start a thread per partition answer.
 * {@link #of} gives a plain future whose dependents run on the thread that answered.
 */
public final class DirectCompletion {
  private DirectCompletion() {}

  public static <T> CompletableFuture<T> of(CompletionStage<T> stage) {
    CompletableFuture<T> direct = new CompletableFuture<>();
    // The Async variant with an executor is the one the Scala future does not reroute.
    stage.whenCompleteAsync((value, failure) -> {
      if (failure == null) {
        direct.complete(value);
      } else {
        direct.completeExceptionally(failure);
      }
    }, Runnable::run);
    return direct;
  }
}
