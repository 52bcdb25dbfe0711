package io.vltava.group;

import io.vltava.log.LogAppendInfo;
import io.vltava.replica.AppendOutcome;
import io.vltava.testkit.NodeSerialization;
import java.util.List;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Replies of sharded entities cross nodes: each round-trips through the serializer a node's config
 * binds, as Artery would send it (Java serialization is off).
 */
class ReplySerializationTest {
  @RegisterExtension
  static final NodeSerialization node = new NodeSerialization();

  @Test
  void groupAndPartitionLeaderRepliesRoundTrip() throws Exception {
    List<Object> replies = List.of(
        new GroupCoordinator.FetchedOffsets(List.of(
            new CommittedOffset("orders", 3, 42, 7, "meta", 1_700_000_000_000L), new CommittedOffset("orders", 4, -1, -1, "", 0))),
        new GroupCoordinator.FetchedOffsets(List.of()),
        new GroupCoordinator.LeaveOutcome(List.of(Errors.NONE, Errors.UNKNOWN_MEMBER_ID)),
        new GroupCoordinator.Outcome(Errors.REBALANCE_IN_PROGRESS),
        new AppendOutcome(Errors.NONE, null, new LogAppendInfo(10, 19, -1, 0, false)),
        new AppendOutcome(Errors.NOT_LEADER_OR_FOLLOWER, "moved", null));
    node.assertRoundTrips(replies);
  }
}
