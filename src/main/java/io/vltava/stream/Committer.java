package io.vltava.stream;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Commits offsets as a stream stage, batched by count and time ({@link CommitterSettings}). The
 * last partial batch is committed when upstream completes, so a stream stopped with {@link
 * Consumer.Control#drainAndShutdown} commits everything it processed.
 */
public final class Committer {
  private Committer() {}

  /** Commits in batches and emits each committed batch, in order. */
  public static <C extends ConsumerMessage.Committable> Flow<C, ConsumerMessage.CommittableOffsetBatch, NotUsed> batchFlow(
      CommitterSettings settings) {
    return Flow.<C>create()
        .groupedWithin(settings.maxBatch(), settings.maxInterval())
        .map(committables -> ConsumerMessage.CommittableOffsetBatch.of(committables))
        .mapAsync(settings.parallelism(), batch -> batch.commit().thenApply(done -> batch));
  }

  /** Commits in batches; emits {@link Done} per committed batch. */
  public static <C extends ConsumerMessage.Committable> Flow<C, Done, NotUsed> flow(CommitterSettings settings) {
    return Committer.<C>batchFlow(settings).map(batch -> Done.getInstance());
  }

  /** Commits in batches; completes when upstream completed and the last batch is committed, fails with a failed commit. */
  public static <C extends ConsumerMessage.Committable> Sink<C, CompletionStage<Done>> sink(CommitterSettings settings) {
    return Committer.<C>flow(settings).toMat(Sink.ignore(), Keep.right());
  }
}
