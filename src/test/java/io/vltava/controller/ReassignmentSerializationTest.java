package io.vltava.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vltava.metadata.BrokerInfo;
import io.vltava.metadata.ClusterState;
import io.vltava.metadata.PartitionState;
import io.vltava.metadata.TopicState;
import io.vltava.testkit.NodeSerialization;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Reassignment requests and broker-config changes reach the controller singleton from any node, and
 * the cluster state carrying moves and broker configs is replicated: all round-trip through the
 * serializer a node's config binds. A state stored before these fields existed still reads.
 */
class ReassignmentSerializationTest {
  @RegisterExtension
  static final NodeSerialization node = new NodeSerialization();

  @Test
  void requestsRepliesAndTheStateRoundTrip() throws Exception {
    TestProbe<Controller.Outcomes> replyTo = node.testKit().createTestProbe();
    PartitionState moving = new PartitionState(List.of(4, 2, 3, 1), 1, 4, List.of(1, 2, 3), 8, List.of(4), List.of(1));
    ClusterState state = ClusterState.initial("c")
        .withBroker(new BrokerInfo(1, "127.0.0.1", 9092, "pekko://vltava@127.0.0.1:2551"))
        .withTopic(new TopicState("orders", UUID.randomUUID(), Map.of(), List.of(moving)))
        .withBrokerConfigs(1, Map.of("follower.replication.throttled.rate", "1000"));
    List<Object> messages = List.of(
        new Controller.AlterPartitionReassignments(List.of(
            new Controller.PartitionMove("orders", 0, List.of(4, 2, 3)),
            new Controller.PartitionMove("orders", 1, null)), false, replyTo.ref()),
        new Controller.AlterBrokerConfigs(List.of(new Controller.BrokerConfigChange(2,
            Map.of("leader.replication.throttled.rate", Optional.of("5"), "follower.replication.throttled.rate", Optional.empty()), false)),
            true, replyTo.ref()),
        new Controller.Outcomes(List.of(Controller.Outcome.OK,
            new Controller.Outcome(Errors.NO_REASSIGNMENT_IN_PROGRESS.code(), "none")), 12),
        state);
    node.assertRoundTrips(messages);
  }

  @Test
  void aPartitionStoredBeforeReassignmentsExistedHasNone() throws Exception {
    var mapper = JacksonObjectMapperProvider.get(Adapter.toClassic(node.testKit().system())).getOrCreate("jackson-json", Optional.empty());
    String stored = "{\"replicas\":[1,2],\"leader\":1,\"leaderEpoch\":3,\"isr\":[1,2],\"partitionEpoch\":5}";
    PartitionState read = mapper.readValue(stored.getBytes(StandardCharsets.UTF_8), PartitionState.class);
    assertEquals(new PartitionState(List.of(1, 2), 1, 3, List.of(1, 2), 5), read);
  }
}
