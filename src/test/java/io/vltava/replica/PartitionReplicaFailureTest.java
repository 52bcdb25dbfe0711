package io.vltava.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.log.LogConfig;
import io.vltava.metadata.PartitionState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica whose log cannot be opened (a real I/O error: its directory path is taken by a file) is
 * offline, not stopped: it answers writes with KAFKA_STORAGE_ERROR, tells the controller, and
 * reopens its log once the cause is gone, telling the controller it is back.
 */
class PartitionReplicaFailureTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final TopicPartition PARTITION = new TopicPartition("t", 0);
  private static final PartitionState LEADER_ALONE = new PartitionState(List.of(1), 1, 0, List.of(1), 0);
  private static final PartitionReplica.Settings SETTINGS = new PartitionReplica.Settings(
      Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofMillis(100), Duration.ofMillis(400),
      Duration.ofMillis(500), Clock.systemUTC());
  private static final ReplicationProgress PROGRESS =
      new ReplicationProgress(new LogRecoveryProgress(System::nanoTime), new CatchUpProgress());

  @TempDir Path baseDir;

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  /** The controller as a replica sees it: keeps each report and answers with the partition unchanged. */
  private static final class RecordingController implements IsrChanges {
    final BlockingQueue<Boolean> reports = new LinkedBlockingQueue<>();

    @Override
    public CompletionStage<Decision> propose(TopicPartition partition, PartitionState base, List<Integer> isr) {
      return CompletableFuture.completedFuture(new Decision(Errors.NONE, base));
    }

    @Override
    public CompletionStage<Decision> reportReplica(TopicPartition partition, int nodeId, boolean online) {
      reports.add(online);
      return CompletableFuture.completedFuture(new Decision(Errors.NONE, LEADER_ALONE));
    }
  }

  @Test
  @Timeout(30)
  void aLogThatCannotOpenIsOfflineAndReportedAndReopensOnceItCan() throws Exception {
    Path dir = baseDir.resolve("t-0");
    Files.writeString(dir, "a file where the log directory should be");
    RecordingController controller = new RecordingController();
    LocalReplica view = new LocalReplica(PARTITION, UUID.randomUUID(), 1, LEADER_ALONE);
    view.writer(testKit.spawn(PartitionReplica.create(
        view, dir, LogConfig.defaults(), new DataArrivals(), controller, broker -> true, 1, SETTINGS, PROGRESS)));

    assertEquals(Boolean.FALSE, controller.reports.poll(10, TimeUnit.SECONDS), "reported offline");
    assertInstanceOf(IOException.class, view.storageError());
    assertNull(view.log());
    AppendOutcome refused = append(view.writer(), "refused");
    assertEquals(Errors.KAFKA_STORAGE_ERROR, refused.error());
    assertTrue(refused.errorMessage().contains("offline"), refused.errorMessage());

    Files.delete(dir);
    assertEquals(Boolean.TRUE, controller.reports.poll(10, TimeUnit.SECONDS), "reported back online");
    assertNull(view.storageError());
    assertNotNull(view.log());
    AppendOutcome appended = append(view.writer(), "first");
    assertEquals(Errors.NONE, appended.error());
    assertEquals(0, appended.info().firstOffset());
    assertEquals(1, view.highWatermark(), "alone in the ISR, its append is committed");
    assertTrue(controller.reports.isEmpty(), "one report each way");

    view.writer().tell(new PartitionReplica.Close());
    view.whenClosed().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @Timeout(30)
  void anOfflineReplicaOfADeletedTopicRemovesItsFiles() throws Exception {
    Path dir = baseDir.resolve("t-0");
    Files.writeString(dir, "a file where the log directory should be");
    LocalReplica view = new LocalReplica(PARTITION, UUID.randomUUID(), 1, LEADER_ALONE);
    RecordingController controller = new RecordingController();
    view.writer(testKit.spawn(PartitionReplica.create(
        view, dir, LogConfig.defaults(), new DataArrivals(), controller, broker -> true, 1, SETTINGS, PROGRESS)));
    assertEquals(Boolean.FALSE, controller.reports.poll(10, TimeUnit.SECONDS));

    view.writer().tell(new PartitionReplica.Delete());
    view.whenClosed().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertFalse(Files.exists(dir));
  }

  private static AppendOutcome append(ActorRef<PartitionReplica.Command> writer, String value) {
    TestProbe<AppendOutcome> probe = testKit.createTestProbe();
    writer.tell(new PartitionReplica.Append(
        MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(value.getBytes(StandardCharsets.UTF_8))), probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(10));
  }
}
