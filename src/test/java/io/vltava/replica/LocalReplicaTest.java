package io.vltava.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.log.LogConfig;
import io.vltava.log.PartitionLog;
import io.vltava.metadata.PartitionState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalReplicaTest {
  private static final TopicPartition PARTITION = new TopicPartition("t", 0);
  private static final int LEADER = 1;
  private static final PartitionState LED_WITH_FOLLOWERS = new PartitionState(List.of(1, 2, 3), LEADER, 4, List.of(1, 2, 3), 7);
  private static final PartitionState TWO_IN_SYNC = new PartitionState(List.of(1, 2, 3), LEADER, 4, List.of(1, 2), 7);

  @TempDir Path dir;
  private PartitionLog log;

  private static MemoryRecords records(int count) {
    SimpleRecord[] records = new SimpleRecord[count];
    for (int i = 0; i < count; i++) {
      records[i] = new SimpleRecord(("r" + i).getBytes(StandardCharsets.UTF_8));
    }
    return MemoryRecords.withRecords(Compression.NONE, records);
  }

  @Test
  void aRestartedLeaderServesWhatWasCommittedBeforeWithoutWaitingForItsFollowers() throws Exception {
    try (PartitionLog written = PartitionLog.open(dir, LogConfig.defaults(), Clock.systemUTC())) {
      written.appendAsLeader(records(10), 4);
      written.checkpointHighWatermark(6);
    }
    LocalReplica replica = new LocalReplica(PARTITION, UUID.randomUUID(), LEADER, LED_WITH_FOLLOWERS);
    try (PartitionLog reopened = PartitionLog.open(dir, LogConfig.defaults(), Clock.systemUTC())) {
      replica.opened(reopened);
      assertEquals(6, replica.highWatermark(), "the checkpoint, not 0 and not the unconfirmed log end");
      replica.followerFetched(2, 10, 0);
      assertEquals(6, replica.highWatermark(), "replica 3 has not confirmed more yet");
      replica.followerFetched(3, 8, 0);
      assertEquals(8, replica.highWatermark());
    }
  }

  /** A leader of 10 records at leader epoch 4 whose ISR is itself and replica 2; replica 3 is out. */
  private LocalReplica twoInSyncLeaderOfTenRecords() throws Exception {
    LocalReplica replica = new LocalReplica(PARTITION, UUID.randomUUID(), LEADER, TWO_IN_SYNC);
    log = PartitionLog.open(dir, LogConfig.defaults(), Clock.systemUTC());
    replica.opened(log);
    log.appendAsLeader(records(10), 4);
    return replica;
  }

  @Test
  void aFollowerFetchThatMovesTheHighWatermarkWakesConsumersLongPollingAtIt() throws Exception {
    DataArrivals arrivals = new DataArrivals();
    LocalReplica replica = new LocalReplica(PARTITION, UUID.randomUUID(), LEADER, TWO_IN_SYNC, () -> arrivals.arrived(PARTITION));
    log = PartitionLog.open(dir, LogConfig.defaults(), Clock.systemUTC());
    replica.opened(log);
    log.appendAsLeader(records(10), 4);

    CompletableFuture<Void> longPoll = arrivals.await(List.of(PARTITION), Duration.ofMinutes(1)).toCompletableFuture();
    replica.followerFetched(2, 5, 0);
    assertEquals(5, replica.highWatermark());
    assertTrue(longPoll.isDone(), "records 0-4 became readable: the waiting fetch reads again now");

    CompletableFuture<Void> nextPoll = arrivals.await(List.of(PARTITION), Duration.ofMinutes(1)).toCompletableFuture();
    replica.followerFetched(2, 5, 0);
    assertFalse(nextPoll.isDone(), "nothing new is readable");
    nextPoll.complete(null);
  }

  @AfterEach
  void closeLog() throws Exception {
    if (log != null) {
      log.close();
    }
  }

  @Test
  void whileAFollowerIsProposedToJoinTheHighWatermarkWaitsForItUntilTheControllerDecides() throws Exception {
    LocalReplica replica = twoInSyncLeaderOfTenRecords();
    replica.followerFetched(2, 5, 0);
    replica.followerFetched(3, 5, 0);
    assertEquals(5, replica.highWatermark());
    LocalReplica.IsrProposal proposal = replica.propose(List.of(1, 2, 3), 0).orElseThrow();
    assertEquals(List.of(1, 2, 3), proposal.isr());
    replica.followerFetched(2, 10, 0);
    assertEquals(5, replica.highWatermark(), "replica 3 may be admitted, and even lead, at 5");

    replica.proposalRefused(proposal.base());
    assertEquals(10, replica.highWatermark(), "refused: the wait ends");
    replica.update(new PartitionState(List.of(1, 2, 3), LEADER, 4, List.of(1, 2), 8));
    replica.update(TWO_IN_SYNC);
    assertEquals(8, replica.state().partitionEpoch(), "an older state does not replace a newer one");
  }

  @Test
  void aFollowerBehindTheHighWatermarkIsNotProposed() throws Exception {
    LocalReplica replica = twoInSyncLeaderOfTenRecords();
    replica.followerFetched(3, 5, 0);
    replica.followerFetched(2, 10, 0);
    assertEquals(Optional.empty(), replica.propose(List.of(1, 2, 3), 0), "replica 3 lacks committed records 5 to 9");
    assertEquals(List.of(1), replica.propose(List.of(1, 3), 0).orElseThrow().isr(), "replica 2 leaves; replica 3 may not join");
  }

  @Test
  void aFollowersSizeIsItsSegmentsAndItsLagHowFarItsLogEndsBehindTheLeadersHighWatermark() throws Exception {
    LocalReplica follower = new LocalReplica(PARTITION, UUID.randomUUID(), 2, LED_WITH_FOLLOWERS);
    log = PartitionLog.open(dir, LogConfig.defaults(), Clock.systemUTC());
    follower.opened(log);
    MemoryRecords fetched = records(4);
    log.appendAsLeader(fetched, 4); // as the leader wrote it; how the bytes got here does not matter
    follower.followerHighWatermark(10);
    assertEquals(6, follower.logEndOffsetLag());
    assertEquals(4, follower.highWatermark(), "its own high watermark stops at what it holds");
    assertEquals(log.sizeBytes(), follower.sizeBytes());
    assertEquals(fetched.sizeInBytes(), follower.sizeBytes());
    follower.followerHighWatermark(3);
    assertEquals(0, follower.logEndOffsetLag(), "never negative");

    LocalReplica leader = new LocalReplica(PARTITION, UUID.randomUUID(), LEADER, LED_WITH_FOLLOWERS);
    leader.opened(log);
    assertEquals(0, leader.logEndOffsetLag());
  }
}
