package io.vltava.stream;

import com.typesafe.config.Config;
import java.time.Duration;
import org.apache.pekko.actor.ClassicActorSystemProvider;

/**
 * How {@link Committer} batches: commit once {@code maxBatch} offsets arrived or {@code
 * maxInterval} after the first uncommitted one, with at most {@code parallelism} commits in flight.
 */
public record CommitterSettings(int maxBatch, Duration maxInterval, int parallelism) {

  public static final String CONFIG_PATH = "vltava.stream.committer";

  public CommitterSettings {
    if (maxBatch < 1 || parallelism < 1) {
      throw new IllegalArgumentException("maxBatch and parallelism must be at least 1");
    }
    if (maxInterval.isNegative() || maxInterval.isZero()) {
      throw new IllegalArgumentException("maxInterval must be positive, was " + maxInterval);
    }
  }

  public static CommitterSettings create(ClassicActorSystemProvider system) {
    return create(system.classicSystem().settings().config().getConfig(CONFIG_PATH));
  }

  public static CommitterSettings create(Config config) {
    return new CommitterSettings(config.getInt("max-batch"), config.getDuration("max-interval"), config.getInt("parallelism"));
  }

  public CommitterSettings withMaxBatch(int offsets) {
    return new CommitterSettings(offsets, maxInterval, parallelism);
  }

  public CommitterSettings withMaxInterval(Duration interval) {
    return new CommitterSettings(maxBatch, interval, parallelism);
  }

  public CommitterSettings withParallelism(int commitsInFlight) {
    return new CommitterSettings(maxBatch, maxInterval, commitsInFlight);
  }
}
