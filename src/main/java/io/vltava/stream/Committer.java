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
  public static Flow<ConsumerMessage.Committable, ConsumerMessage.CommittableOffsetBatch, NotUsed> batchFlow(
      CommitterSettings settings) {
    return Flow.<ConsumerMessage.Committable>create()
        .groupedWithin(settings.maxBatch(), settings.maxInterval())
        .map(ConsumerMessage.CommittableOffsetBatch::of)
        .mapAsync(settings.parallelism(), batch -> batch.commit().thenApply(done -> batch));
  }

  /** Commits in batches; emits {@link Done} per committed batch. */
  public static Flow<ConsumerMessage.Committable, Done, NotUsed> flow(CommitterSettings settings) {
    return batchFlow(settings).map(batch -> Done.getInstance());
  }

  /** Commits in batches; completes when upstream completed and the last batch is committed, fails with a failed commit. */
  public static Sink<ConsumerMessage.Committable, CompletionStage<Done>> sink(CommitterSettings settings) {
    return flow(settings).toMat(Sink.ignore(), Keep.right());
  }
}
