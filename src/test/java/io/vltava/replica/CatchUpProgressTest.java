package io.vltava.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class CatchUpProgressTest {
  private static final TopicPartition ORDERS_3 = new TopicPartition("orders", 3);
  private static final long MB = 1024 * 1024;

  private final CatchUpProgress progress = new CatchUpProgress(Duration.ofSeconds(10));

  @Test
  void aFollowerIsLoggedWhenItStartsAtMostOncePerIntervalAndWhenItIsBackInSync() {
    assertEquals(Optional.of("Replica 2 of orders-3 is catching up: 5000 offsets (100.0 MB) behind the leader"),
        progress.behind(ORDERS_3, 2, 5000, 100 * MB, false, 1_000));
    assertEquals(Optional.empty(), progress.behind(ORDERS_3, 2, 4000, 80 * MB, false, 6_000), "not yet 10 s since the last line");
    assertEquals(List.of(new CatchUpProgress.Follower(ORDERS_3, 2, 4000, 80 * MB, 4.0 * MB, false, 1_000)), progress.followers());

    assertEquals(Optional.of("Replica 2 of orders-3 is 3000 offsets (60.0 MB) behind the leader, "
            + "closing the gap at 4.0 MB/s (about 15 s to go)"),
        progress.behind(ORDERS_3, 2, 3000, 60 * MB, false, 11_000));
    assertEquals(Optional.of("Replica 2 of orders-3 is 3500 offsets (70.0 MB) behind the leader, falling behind by 1.0 MB/s"),
        progress.behind(ORDERS_3, 2, 3500, 70 * MB, false, 21_000));

    assertEquals(Optional.of("Replica 2 of orders-3 caught up with the leader after 29.5 s"), progress.inSync(ORDERS_3, 2, 30_500));
    assertEquals(List.of(), progress.followers());
    assertEquals(Optional.empty(), progress.inSync(ORDERS_3, 2, 31_000), "an in-sync follower is not logged again");
  }

  @Test
  void aReplicaAddedByAReassignmentIsNamedSoAndForgottenWithItsPartition() {
    assertEquals(Optional.of("New replica 4 of orders-3 is catching up: 10 offsets (1.0 KB) behind the leader"),
        progress.behind(ORDERS_3, 4, 10, 1024, true, 0));
    progress.behind(ORDERS_3, 5, 10, 1024, true, 0);
    progress.retainReplicas(ORDERS_3, List.of(1, 2, 4));
    assertEquals(List.of(4), progress.followers().stream().map(CatchUpProgress.Follower::replica).toList());
    progress.forget(ORDERS_3);
    assertEquals(List.of(), progress.followers());
  }
}
