package io.vltava.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vltava.testkit.VltavaCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's sequence: a node is killed and restarted, and a second node dies while the restarted
 * one is Joining. The Split Brain Resolver counts Joining members, so the survivor and the joining
 * node are a majority of three and keep the cluster instead of the survivor downing itself. (Had
 * the second node died before the Join arrived, one of three would rightly down itself.)
 */
@Tag("slow")
class SecondCrashDuringRejoinTest {
  /** Long enough that a join retried within seconds is counted, shorter than Pekko's default retry. */
  private static final Map<String, Object> SETTINGS = Map.of("pekko.cluster.split-brain-resolver.stable-after", "4s");

  @TempDir Path baseDir;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aNodeDyingWhileTheRestartedNodeIsJoiningLeavesTheSurvivorAndTheRestartedNodeServing() throws Exception {
    try (VltavaCluster cluster = VltavaCluster.start(3, baseDir, SETTINGS)) {
      // The restarted node joins through the lowest member endpoint it hears; the other one dies.
      int survivor = endpoint(cluster, 1).compareTo(endpoint(cluster, 3)) < 0 ? 1 : 3;
      int second = 4 - survivor;
      UniqueAddress oldIncarnation = Cluster.get(cluster.node(2).system()).selfMember().uniqueAddress();
      Cluster survivorCluster = Cluster.get(cluster.node(survivor).system());

      cluster.crash(2);
      CompletableFuture<Void> restarted = CompletableFuture.runAsync(() -> {
        try {
          cluster.restart(2);
        } catch (Exception e) {
          throw new IllegalStateException("node 2 did not start again", e);
        }
      }, runnable -> new Thread(runnable, "restart-node-2").start());
      String restartedEndpoint = oldIncarnation.address().hostPort();
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
          .until(() -> members(survivorCluster).stream().anyMatch(m ->
              m.address().hostPort().equals(restartedEndpoint) && !m.uniqueAddress().equals(oldIncarnation)));
      cluster.crash(second);

      restarted.get(90, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(60)).until(() -> upMembers(survivorCluster).size() == 2);
      assertFalse(cluster.node(survivor).system().whenTerminated().isCompleted(), "node " + survivor + " kept running");
      assertEquals(Set.of(endpoint(cluster, survivor), endpoint(cluster, 2)), upMembers(survivorCluster));
      cluster.awaitMetadata(state -> state.brokers().keySet().equals(Set.of(survivor, 2)), Duration.ofSeconds(60));
    }
  }

  private static String endpoint(VltavaCluster cluster, int id) {
    return Cluster.get(cluster.node(id).system()).selfMember().address().hostPort();
  }

  private static Set<Member> members(Cluster cluster) {
    return StreamSupport.stream(cluster.state().getMembers().spliterator(), false).collect(Collectors.toSet());
  }

  private static Set<String> upMembers(Cluster cluster) {
    return members(cluster).stream().filter(m -> m.status() == MemberStatus.up()).map(m -> m.address().hostPort())
        .collect(Collectors.toSet());
  }
}
