package io.vltava.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vltava.log.LogConfig;
import io.vltava.log.PartitionLog;
import io.vltava.metadata.PartitionState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalReplicaTest {
  private static final TopicPartition PARTITION = new TopicPartition("t", 0);
  private static final int LEADER = 1;
  private static final PartitionState LED_WITH_FOLLOWERS = new PartitionState(List.of(1, 2, 3), LEADER, 4, List.of(1, 2, 3), 7);

  @TempDir Path dir;

  private static MemoryRecords records(int count) {
    SimpleRecord[] records = new SimpleRecord[count];
    for (int i = 0; i < count; i++) {
      records[i] = new SimpleRecord(("r" + i).getBytes(StandardCharsets.UTF_8));
    }
    return MemoryRecords.withRecords(Compression.NONE, records);
  }

  @Test
  void aRestartedLeaderServesWhatWasCommittedBeforeWithoutWaitingForItsFollowers() throws Exception {
    try (PartitionLog log = PartitionLog.open(dir, LogConfig.defaults(), Clock.systemUTC())) {
      log.appendAsLeader(records(10), 4);
      log.checkpointHighWatermark(6);
    }
    LocalReplica replica = new LocalReplica(PARTITION, UUID.randomUUID(), LEADER, LED_WITH_FOLLOWERS);
    try (PartitionLog log = PartitionLog.open(dir, LogConfig.defaults(), Clock.systemUTC())) {
      replica.opened(log);
      assertEquals(6, replica.highWatermark(), "the checkpoint, not 0 and not the unconfirmed log end");
      replica.followerFetched(2, 10, 0);
      assertEquals(6, replica.highWatermark(), "replica 3 has not confirmed more yet");
      replica.followerFetched(3, 8, 0);
      assertEquals(8, replica.highWatermark());
    }
  }

  @Test
  void whileAFollowerIsProposedToJoinTheHighWatermarkWaitsForItUntilTheControllerDecides() throws Exception {
    PartitionState twoInSync = new PartitionState(List.of(1, 2, 3), LEADER, 4, List.of(1, 2), 7);
    LocalReplica replica = new LocalReplica(PARTITION, UUID.randomUUID(), LEADER, twoInSync);
    try (PartitionLog log = PartitionLog.open(dir, LogConfig.defaults(), Clock.systemUTC())) {
      replica.opened(log);
      log.appendAsLeader(records(10), 4);
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
      replica.update(twoInSync);
      assertEquals(8, replica.state().partitionEpoch(), "an older state does not replace a newer one");
    }
  }

  @Test
  void aFollowerBehindTheHighWatermarkIsNotProposed() throws Exception {
    PartitionState twoInSync = new PartitionState(List.of(1, 2, 3), LEADER, 4, List.of(1, 2), 7);
    LocalReplica replica = new LocalReplica(PARTITION, UUID.randomUUID(), LEADER, twoInSync);
    try (PartitionLog log = PartitionLog.open(dir, LogConfig.defaults(), Clock.systemUTC())) {
      replica.opened(log);
      log.appendAsLeader(records(10), 4);
      replica.followerFetched(3, 5, 0);
      replica.followerFetched(2, 10, 0);
      assertEquals(Optional.empty(), replica.propose(List.of(1, 2, 3), 0), "replica 3 lacks committed records 5 to 9");
      assertEquals(List.of(1), replica.propose(List.of(1, 3), 0).orElseThrow().isr(), "replica 2 leaves; replica 3 may not join");
    }
  }
}
