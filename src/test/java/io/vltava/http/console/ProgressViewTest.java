package io.vltava.http.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vltava.metadata.ClusterState;
import io.vltava.metadata.PartitionState;
import io.vltava.metadata.TopicState;
import io.vltava.replica.CatchUpProgress.Follower;
import io.vltava.replica.LogRecoveryProgress;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ProgressViewTest {
  private static final LogRecoveryProgress.Snapshot RECOVERED = new LogRecoveryProgress.Snapshot(0, 0, 0, true);

  @Test
  void recoveryIsShownAsDoneOfTotal() {
    ProgressView.Page page = new ProgressView(30_000).page(new LogRecoveryProgress.Snapshot(12, 5, 3_000_000, false), List.of(),
        ClusterState.empty());
    assertEquals(new ProgressView.Recovery(12, 5, 7, 3_000_000, false), page.recovery());
    assertEquals(List.of(), page.catchUp());
    assertEquals(List.of(), page.reassignments());
  }

  @Test
  void followersAreSummedPerBrokerWithTheRateTheGapClosesAt() {
    ProgressView view = new ProgressView(30_000);
    List<Follower> atStart = List.of(
        follower("a", 0, 2, 100, 10_000, false), follower("a", 1, 2, 50, 5_000, true), follower("b", 0, 3, 7, 700, false));
    view.sample(atStart, 1_000);
    assertNull(view.page(RECOVERED, atStart, ClusterState.empty()).catchUp().get(0).closingBytesPerSec(), "one sample: no rate yet");

    // Ten seconds later broker 2 has fetched 10,000 of its 15,000 bytes; broker 3 fell 300 bytes further behind.
    List<Follower> later = List.of(
        follower("a", 0, 2, 30, 3_000, false), follower("a", 1, 2, 20, 2_000, true), follower("b", 0, 3, 10, 1_000, false));
    view.sample(later, 11_000);
    List<ProgressView.CatchingUp> brokers = view.page(RECOVERED, later, ClusterState.empty()).catchUp();
    assertEquals(2, brokers.size());
    ProgressView.CatchingUp two = brokers.get(0);
    assertEquals(2, two.broker());
    assertEquals(2, two.partitions());
    assertEquals(1, two.reassigning());
    assertEquals(50, two.offsetsBehind());
    assertEquals(5_000, two.bytesBehind());
    assertEquals(1_000.0, two.closingBytesPerSec(), 1e-9);
    assertEquals(5L, two.secondsToGo());
    assertEquals(List.of(new ProgressView.FollowerPartition("a", 0, 30, 3_000, false, 0),
        new ProgressView.FollowerPartition("a", 1, 20, 2_000, true, 0)), two.followers());
    ProgressView.CatchingUp three = brokers.get(1);
    assertEquals(-30.0, three.closingBytesPerSec(), 1e-9);
    assertNull(three.secondsToGo(), "falling behind: no time to go");
  }

  @Test
  void theRateForgetsSamplesOlderThanItsWindowAndBrokersThatCaughtUp() {
    ProgressView view = new ProgressView(10_000);
    view.sample(List.of(follower("a", 0, 2, 1, 90_000, false)), 0);
    view.sample(List.of(follower("a", 0, 2, 1, 20_000, false)), 10_000);
    List<Follower> now = List.of(follower("a", 0, 2, 1, 10_000, false));
    view.sample(now, 20_000);
    assertEquals(1_000.0, view.page(RECOVERED, now, ClusterState.empty()).catchUp().get(0).closingBytesPerSec(), 1e-9,
        "measured from 10 s ago, not from the first sample");

    view.sample(List.of(), 21_000);
    view.sample(now, 22_000);
    assertNull(view.page(RECOVERED, now, ClusterState.empty()).catchUp().get(0).closingBytesPerSec(), "caught up once: measured afresh");
  }

  @Test
  void reassignmentsListEveryPartitionBeingMoved() {
    PartitionState still = new PartitionState(List.of(1, 2), 1, 3, List.of(1, 2), 4, List.of(), List.of());
    PartitionState moving = new PartitionState(List.of(3, 1, 2), 1, 3, List.of(1, 2), 5, List.of(3), List.of(2));
    ClusterState state = ClusterState.empty().withTopic(new TopicState("orders", UUID.randomUUID(), Map.of(), List.of(still, moving)));
    assertEquals(List.of(new ProgressView.Reassignment("orders", 1, 1, List.of(3, 1, 2), List.of(1, 2), List.of(3), List.of(2))),
        new ProgressView(30_000).page(RECOVERED, List.of(), state).reassignments());
  }

  private static Follower follower(String topic, int partition, int replica, long offsetsBehind, long bytesBehind, boolean reassigning) {
    return new Follower(new TopicPartition(topic, partition), replica, offsetsBehind, bytesBehind, reassigning, 0);
  }
}
