package io.vltava.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vltava.log.LogConfig;
import io.vltava.log.PartitionLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a follower truncates, from the leader's OffsetForLeaderEpoch answer and its own epochs. */
class ReplicaFetcherTest {
  @TempDir Path dir;

  /** Epoch 2 holds offsets 0..49, epoch 3 offset 50 (a record no other replica got). */
  private PartitionLog followerLog() throws Exception {
    PartitionLog log = PartitionLog.open(dir, LogConfig.defaults(), Clock.systemUTC());
    for (int batch = 0; batch < 5; batch++) {
      SimpleRecord[] records = new SimpleRecord[10];
      for (int i = 0; i < 10; i++) {
        records[i] = new SimpleRecord(("e2-" + (batch * 10 + i)).getBytes(StandardCharsets.UTF_8));
      }
      log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, records), 2);
    }
    log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("e3".getBytes(StandardCharsets.UTF_8))), 3);
    return log;
  }

  @Test
  void aLeaderThatNeverHadOurLatestEpochMakesUsCutAtOurOwnEndOfTheEpochItAnswers() throws Exception {
    try (PartitionLog log = followerLog()) {
      // The new leader kept more of epoch 2 than we did (up to 55), then started epoch 4.
      assertEquals(50, ReplicaFetcher.truncationOffset(log, new EpochEndOffset().setLeaderEpoch(2).setEndOffset(55)));
    }
  }

  @Test
  void aLeaderWhoseEpochEndsEarlierCutsThere() throws Exception {
    try (PartitionLog log = followerLog()) {
      assertEquals(45, ReplicaFetcher.truncationOffset(log, new EpochEndOffset().setLeaderEpoch(2).setEndOffset(45)));
      assertEquals(51, ReplicaFetcher.truncationOffset(log, new EpochEndOffset().setLeaderEpoch(3).setEndOffset(60)), "nothing diverged");
      assertEquals(0, ReplicaFetcher.truncationOffset(log, new EpochEndOffset().setLeaderEpoch(-1).setEndOffset(-1)));
    }
  }

  @Test
  void aNewLeaderThatHasAppendedNothingYetStillTellsWhereOurLaterEpochDiverged() throws Exception {
    try (PartitionLog follower = followerLog()) {
      Path leaderDir = dir.resolveSibling(dir.getFileName() + "-leader");
      try (PartitionLog leader = PartitionLog.open(leaderDir, LogConfig.defaults(), Clock.systemUTC())) {
        SimpleRecord[] records = new SimpleRecord[50];
        for (int i = 0; i < 50; i++) {
          records[i] = new SimpleRecord(("e2-" + i).getBytes(StandardCharsets.UTF_8));
        }
        leader.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, records), 2);
        // Elected at epoch 4 with the follower's epoch-3 record never fetched; nothing appended since.
        leader.startLeaderEpoch(4);
        var answer = leader.leaderEpochCache().endOffsetFor(3);
        assertEquals(2, answer.epoch());
        assertEquals(50, answer.endOffset());
        assertEquals(50, ReplicaFetcher.truncationOffset(follower,
            new EpochEndOffset().setLeaderEpoch(answer.epoch()).setEndOffset(answer.endOffset())),
            "cut only the epoch-3 record, not the whole log");
      }
    }
  }

  @Test
  void failedRoundsBackOffExponentiallyUpToABound() {
    ReplicationSettings settings = ReplicationSettings.from(io.vltava.node.NodeSettings.load(com.typesafe.config.ConfigFactory.empty()));
    assertEquals(100, settings.fetchBackoffMs(1));
    assertEquals(200, settings.fetchBackoffMs(2));
    assertEquals(3200, settings.fetchBackoffMs(6));
    assertEquals(5000, settings.fetchBackoffMs(7));
    assertEquals(5000, settings.fetchBackoffMs(1_000_000));
  }
}
