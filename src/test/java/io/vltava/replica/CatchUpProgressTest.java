package io.vltava.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class CatchUpProgressTest {
  private static final TopicPartition ORDERS_3 = new TopicPartition("orders", 3);
  private static final TopicPartition ORDERS_4 = new TopicPartition("orders", 4);
  private static final long MB = 1024 * 1024;

  private final CatchUpProgress progress = new CatchUpProgress();

  @Test
  void aFollowerIsLoggedWhenItStartsAndWhenItIsBackInSync() {
    assertEquals(Optional.of("Replica 2 of orders-3 is catching up: 5000 offsets (100.0 MB) behind the leader"),
        progress.behind(ORDERS_3, 2, 5000, 100 * MB, false, 1_000));
    assertEquals(Optional.empty(), progress.behind(ORDERS_3, 2, 4000, 80 * MB, false, 6_000), "progress goes to the periodic report");
    assertEquals(List.of(new CatchUpProgress.Follower(ORDERS_3, 2, 4000, 80 * MB, false, 1_000)), progress.followers());

    assertEquals(Optional.of("Replica 2 of orders-3 caught up with the leader after 29.5 s"), progress.inSync(ORDERS_3, 2, 30_500));
    assertEquals(List.of(), progress.followers());
    assertEquals(Optional.empty(), progress.inSync(ORDERS_3, 2, 31_000), "an in-sync follower is not logged again");
  }

  @Test
  void theReportSumsUpEachFollowerBrokerWithTheRateItsGapClosesAt() {
    progress.behind(ORDERS_3, 2, 3000, 60 * MB, false, 0);
    progress.behind(ORDERS_4, 2, 2000, 40 * MB, true, 0);
    progress.behind(ORDERS_3, 3, 10, 1024, false, 0);
    assertEquals(List.of(
            "Replica 2 of 2 partitions (1 added by reassignment) is 5000 offsets (100.0 MB) behind the leader",
            "Replica 3 of orders-3 is 10 offsets (1.0 KB) behind the leader"),
        progress.report(1_000));

    progress.behind(ORDERS_3, 2, 1000, 20 * MB, false, 10_000);
    progress.behind(ORDERS_4, 2, 1000, 20 * MB, true, 10_000);
    progress.behind(ORDERS_3, 3, 20, 2048, false, 10_000);
    assertEquals(List.of(
            "Replica 2 of 2 partitions (1 added by reassignment) is 2000 offsets (40.0 MB) behind the leader, "
                + "closing the gap at 6.0 MB/s (about 7 s to go)",
            "Replica 3 of orders-3 is 20 offsets (2.0 KB) behind the leader, falling behind by 102 B/s"),
        progress.report(11_000));

    progress.inSync(ORDERS_3, 3, 12_000);
    progress.retainReplicas(ORDERS_4, List.of());
    assertEquals(List.of("Replica 2 of orders-3 is 1000 offsets (20.0 MB) behind the leader, "
            + "closing the gap at 2.0 MB/s (about 10 s to go)"),
        progress.report(21_000), "replica 3 is in sync, and replica 2 of orders-4 no longer followed");
  }

  @Test
  void aReplicaAddedByAReassignmentIsNamedSoAndForgottenWithItsPartition() {
    assertEquals(Optional.of("New replica 4 of orders-3 is catching up: 10 offsets (1.0 KB) behind the leader"),
        progress.behind(ORDERS_3, 4, 10, 1024, true, 0));
    assertEquals(List.of("New replica 4 of orders-3 is 10 offsets (1.0 KB) behind the leader"), progress.report(0));
    progress.behind(ORDERS_3, 5, 10, 1024, true, 0);
    progress.behind(ORDERS_4, 5, 7, 700, false, 0);
    progress.retainReplicas(ORDERS_3, List.of(4));
    assertEquals(List.of("orders-3/4", "orders-4/5"), progress.followers().stream()
        .map(f -> f.partition() + "/" + f.replica()).toList(), "retaining touches only its own partition");
    progress.forget(ORDERS_3);
    assertEquals(List.of(new CatchUpProgress.Follower(ORDERS_4, 5, 7, 700, false, 0)), progress.followers(),
        "forgetting a partition keeps the others' followers");
    progress.forget(ORDERS_4);
    assertEquals(List.of(), progress.report(1_000));
  }
}
