package io.vltava.group;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.vltava.log.LogAppendInfo;
import io.vltava.replica.AppendOutcome;
import java.util.List;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Replies of sharded entities cross nodes: each round-trips through the serializer a node's config
 * binds, as Artery would send it (Java serialization is off).
 */
class ReplySerializationTest {
  static ActorTestKit testKit;
  static Serialization serialization;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create(ConfigFactory.parseResources("vltava-node.conf").withFallback(ConfigFactory.load()));
    serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

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
    for (Object reply : replies) {
      byte[] bytes = serialization.serialize(reply).get();
      var serializer = serialization.findSerializerFor(reply);
      Object back = serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, reply)).get();
      assertEquals(reply, back);
    }
  }
}
