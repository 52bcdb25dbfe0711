package io.vltava.stream;

import static io.vltava.stream.StreamTestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Committer.sink batching by count and time, against a recording committer (no broker needed). */
class CommitterTest {
  static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** One commit request as the transport would get it. */
  record Commit(Map<TopicPartition, Long> nextOffsets) {}

  static ConsumerMessage.OffsetCommitter recordingTo(TestProbe<Commit> probe) {
    return offsets -> {
      Map<TopicPartition, Long> next = new HashMap<>();
      offsets.forEach((partition, offset) -> next.put(partition, offset.offset()));
      probe.getRef().tell(new Commit(next));
      return CompletableFuture.completedFuture(Done.getInstance());
    };
  }

  static final TopicPartition P0 = new TopicPartition("t", 0);
  static final TopicPartition P1 = new TopicPartition("t", 1);

  @Test
  void commitsEveryMaxBatchOffsetsTheHighestPerPartitionAndTheRestAtCompletion() throws Exception {
    TestProbe<Commit> commits = testKit.createTestProbe();
    ConsumerMessage.OffsetCommitter committer = recordingTo(commits);
    // Offsets 0..2499 alternating between two partitions: partition = i % 2, offset = i / 2.
    var done = Source.range(0, 2499)
        .map(i -> (ConsumerMessage.Committable) new ConsumerMessage.CommittableOffset("g", i % 2 == 0 ? P0 : P1, i / 2, committer))
        .runWith(Committer.sink(new CommitterSettings(1000, Duration.ofMinutes(1), 1)), testKit.system());
    assertEquals(new Commit(Map.of(P0, 500L, P1, 500L)), commits.receiveMessage());
    assertEquals(new Commit(Map.of(P0, 1000L, P1, 1000L)), commits.receiveMessage());
    assertEquals(new Commit(Map.of(P0, 1250L, P1, 1250L)), commits.receiveMessage(), "the partial batch at completion");
    await(done);
    commits.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void commitsAPartialBatchAfterMaxInterval() throws Exception {
    TestProbe<Commit> commits = testKit.createTestProbe();
    ConsumerMessage.OffsetCommitter committer = recordingTo(commits);
    var queueAndDone = Source.<ConsumerMessage.Committable>queue(10, OverflowStrategy.backpressure())
        .toMat(Committer.sink(new CommitterSettings(1000, Duration.ofMillis(300), 1)), Keep.both())
        .run(testKit.system());
    for (long offset : List.of(5L, 3L, 7L)) {
      queueAndDone.first().offer(new ConsumerMessage.CommittableOffset("g", P0, offset, committer));
    }
    // Three offsets, far below maxBatch: the commit comes from the timer, with the highest offset.
    assertEquals(new Commit(Map.of(P0, 8L)), commits.receiveMessage(Duration.ofSeconds(5)));
    queueAndDone.first().complete();
    await(queueAndDone.second());
    commits.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aBatchMergesOffsetsOfTwoSourcesIntoOneCommitEach() throws Exception {
    TestProbe<Commit> first = testKit.createTestProbe();
    TestProbe<Commit> second = testKit.createTestProbe();
    ConsumerMessage.OffsetCommitter a = recordingTo(first);
    ConsumerMessage.OffsetCommitter b = recordingTo(second);
    ConsumerMessage.CommittableOffsetBatch batch = ConsumerMessage.CommittableOffsetBatch.of(List.of(
        new ConsumerMessage.CommittableOffset("g", P0, 10, a),
        new ConsumerMessage.CommittableOffset("g", P0, 4, a),
        new ConsumerMessage.CommittableOffset("g", P0, 2, b)));
    assertEquals(3, batch.batchSize());
    await(batch.commit());
    assertEquals(new Commit(Map.of(P0, 11L)), first.receiveMessage());
    assertEquals(new Commit(Map.of(P0, 3L)), second.receiveMessage());
  }

}
