package io.vltava.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vltava.log.LogConfig;
import io.vltava.log.PartitionLog;
import io.vltava.metadata.PartitionState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One round of each kind reaches exactly the replicas with something to do, and nothing else; the
 * checkpoint round writes checkpoints itself, and a failed write takes its replica offline.
 */
class ReplicaSchedulerTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final int SELF = 1;
  private static final Duration QUIET = Duration.ofMillis(200);

  @TempDir Path dir;
  private final List<PartitionLog> logs = new ArrayList<>();

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  @AfterEach
  void closeLogs() throws Exception {
    for (PartitionLog log : logs) {
      log.close();
    }
  }

  /** A local replica of partition {@code p} in {@code state}, written by a probe; its log is open if {@code open}. */
  private TestProbe<PartitionReplica.Command> replica(List<LocalReplica> replicas, int p, PartitionState state, boolean open)
      throws Exception {
    LocalReplica replica = new LocalReplica(new TopicPartition("t", p), UUID.randomUUID(), SELF, state);
    TestProbe<PartitionReplica.Command> writer = testKit.createTestProbe();
    replica.writer(writer.getRef());
    if (open) {
      PartitionLog log = PartitionLog.open(dir.resolve("t-" + p), LogConfig.defaults(), Clock.systemUTC());
      logs.add(log);
      replica.opened(log);
    }
    replicas.add(replica);
    return writer;
  }

  @Test
  @Timeout(60)
  void isrChecksGoToLeadersWithFollowersAndToUnreportedReplicasOnly() throws Exception {
    List<LocalReplica> replicas = new ArrayList<>();
    var alone = replica(replicas, 0, new PartitionState(List.of(SELF), SELF, 0, List.of(SELF), 0), true);
    var leading = replica(replicas, 1, new PartitionState(List.of(SELF, 2), SELF, 0, List.of(SELF, 2), 0), true);
    var following = replica(replicas, 2, new PartitionState(List.of(2, SELF), 2, 0, List.of(2, SELF), 0), true);
    var unreported = replica(replicas, 3, new PartitionState(List.of(2, SELF), 2, 0, List.of(2, SELF), 0), false);
    replicas.get(3).statusUnreported(true);

    new ReplicaScheduler(() -> replicas, SELF).isrCheckRound();

    leading.expectMessage(PartitionReplica.IsrTick.INSTANCE);
    unreported.expectMessage(PartitionReplica.IsrTick.INSTANCE);
    alone.expectNoMessage(QUIET);
    following.expectNoMessage(QUIET);
    leading.expectNoMessage(QUIET);
  }

  @Test
  @Timeout(60)
  void maintenanceGoesToOpenLogsAndCheckpointsToMovedHighWatermarks() throws Exception {
    List<LocalReplica> replicas = new ArrayList<>();
    PartitionState alone = new PartitionState(List.of(SELF), SELF, 0, List.of(SELF), 0);
    var idle = replica(replicas, 0, alone, true);
    var written = replica(replicas, 1, alone, true);
    var offline = replica(replicas, 2, alone, false);
    logs.get(1).appendAsLeader(MemoryRecords.withRecords(Compression.NONE,
        new SimpleRecord("v".getBytes(StandardCharsets.UTF_8))), 0);
    replicas.get(1).leaderAppended();
    assertEquals(1, replicas.get(1).highWatermark());
    ReplicaScheduler scheduler = new ReplicaScheduler(() -> replicas, SELF);

    // The round writes the moved checkpoint itself; no replica's actor hears of it.
    scheduler.highWatermarkCheckpointRound();
    assertEquals(1, logs.get(1).highWatermarkOnDisk());
    assertEquals(0, logs.get(0).highWatermarkOnDisk());
    written.expectNoMessage(QUIET);
    idle.expectNoMessage(QUIET);
    offline.expectNoMessage(QUIET);

    scheduler.maintenanceRound();
    idle.expectMessage(PartitionReplica.MaintenanceTick.INSTANCE);
    written.expectMessage(PartitionReplica.MaintenanceTick.INSTANCE);
    offline.expectNoMessage(QUIET);
  }

  @Test
  @Timeout(60)
  void aCheckpointThatCannotBeWrittenTakesItsReplicaOffline() throws Exception {
    List<LocalReplica> replicas = new ArrayList<>();
    var broken = replica(replicas, 0, new PartitionState(List.of(SELF), SELF, 0, List.of(SELF), 0), true);
    PartitionLog log = logs.remove(0);
    log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes(StandardCharsets.UTF_8))), 0);
    replicas.get(0).leaderAppended();
    // The directory vanishes under the open log (as on a failed disk): the checkpoint's file cannot be created.
    try (Stream<Path> paths = Files.walk(dir.resolve("t-0"))) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }

    new ReplicaScheduler(() -> replicas, SELF).highWatermarkCheckpointRound();

    PartitionReplica.StorageFailed failed = broken.expectMessageClass(PartitionReplica.StorageFailed.class);
    assertSame(log, failed.failedLog());
    assertEquals("Checkpointing the high watermark of", failed.what());
    assertEquals(0, log.highWatermarkOnDisk());
    log.closeAfterFailure();
  }
}
