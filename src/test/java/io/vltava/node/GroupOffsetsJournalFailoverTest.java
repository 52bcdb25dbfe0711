package io.vltava.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vltava.group.GroupCoordinator;
import io.vltava.testkit.VltavaCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Committed offsets through a failover of the journal partition that holds them: the commit made
 * while that partition has no leader fails with a retriable error, and the coordinator — restarted
 * after its failed write, not stopped — takes the same member's next commit once a new leader serves.
 */
class GroupOffsetsJournalFailoverTest {
  private static final String TOPIC = "orders";
  private static final String JOURNAL = "__vltava_journal";
  private static final int JOURNAL_PARTITIONS = 8;
  /** A journal write to a crashed leader fails after this, well before the failover completes. */
  private static final Map<String, Object> SETTINGS = Map.of("vltava.journal.write-timeout", "1s");
  private static final int ENTRY_NODE = 1;

  @TempDir Path baseDir;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aCommitDuringTheJournalLeadersFailoverFailsRetriablyAndTheSameMemberCommitsAfterIt() throws Exception {
    try (VltavaCluster cluster = VltavaCluster.start(3, baseDir, SETTINGS)) {
      cluster.awaitFullIsr(JOURNAL);
      GroupTestSupport.createTopic(cluster.bootstrapServers(), TOPIC, 1);

      // A group whose coordinator and entry node survive the crash of its journal partition's leader.
      for (int attempt = 0; attempt < 12; attempt++) {
        String group = "offsets-" + attempt;
        int journalLeader = journalLeaderOf(cluster, group);
        if (journalLeader == ENTRY_NODE) {
          continue;
        }
        RawMember member = new RawMember(cluster.node(ENTRY_NODE).kafkaAddress(), group, null);
        assertEquals(Errors.NONE, member.join(TOPIC, 30_000, 30_000));
        member.sync();
        if (coordinatorNode(cluster, group) == journalLeader) {
          member.close();
          continue;
        }
        try (member) {
          assertEquals(Errors.NONE, member.commit(TOPIC, 10, member.generationId, member.memberId));

          cluster.crash(journalLeader);
          assertEquals(Errors.COORDINATOR_NOT_AVAILABLE, member.commit(TOPIC, 20, member.generationId, member.memberId),
              "the journal partition has no leader yet");

          await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(
              () -> member.commit(TOPIC, 30, member.generationId, member.memberId), error -> error == Errors.NONE);
          assertEquals(30, committedOffset(cluster.node(ENTRY_NODE).bootstrapServers(), group));
        }
        return;
      }
      throw new AssertionError("no group had its coordinator away from its journal leader");
    }
  }

  private static int journalLeaderOf(VltavaCluster cluster, String group) {
    byte[] id = GroupCoordinator.persistenceId(group).id().getBytes(StandardCharsets.UTF_8);
    int partition = Utils.toPositive(Utils.murmur2(id)) % JOURNAL_PARTITIONS;
    return cluster.metadata().topic(JOURNAL).orElseThrow().partitions().get(partition).leader();
  }

  private static int coordinatorNode(VltavaCluster cluster, String group) {
    for (int id = 1; id <= cluster.size(); id++) {
      ActorSystem<Void> system = cluster.node(id).system();
      TestProbe<ShardRegion.CurrentShardRegionState> probe = TestProbe.create(system);
      ClusterSharding.get(system).shardState().tell(new GetShardRegionState(GroupCoordinator.TYPE_KEY, probe.getRef()));
      if (probe.receiveMessage().getShards().stream().anyMatch(shard -> shard.getEntityIds().contains(group))) {
        return id;
      }
    }
    throw new AssertionError("no node runs the coordinator of " + group);
  }

  private static long committedOffset(String bootstrap, String group) throws Exception {
    try (Admin admin = Admin.create(TestNodes.adminProps(bootstrap))) {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
      return offsets.get(new TopicPartition(TOPIC, 0)).offset();
    }
  }
}
