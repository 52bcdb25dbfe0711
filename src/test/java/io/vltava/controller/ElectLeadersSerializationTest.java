package io.vltava.controller;

import io.vltava.metadata.RequestedElections;
import io.vltava.testkit.NodeSerialization;
import java.util.List;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An ElectLeaders request reaches the controller singleton from any node, and its reply goes back:
 * both round-trip through the serializer a node's config binds, as Artery would send them.
 */
class ElectLeadersSerializationTest {
  @RegisterExtension
  static final NodeSerialization node = new NodeSerialization();

  @Test
  void electLeadersAndItsReplyRoundTrip() throws Exception {
    TestProbe<Controller.LeadersElected> replyTo = node.testKit().createTestProbe();
    List<Object> messages = List.of(
        new Controller.ElectLeaders(RequestedElections.Type.UNCLEAN, false,
            List.of(new RequestedElections.PartitionId("orders", 3)), replyTo.ref()),
        new Controller.ElectLeaders(RequestedElections.Type.PREFERRED, true, List.of(), replyTo.ref()),
        new Controller.LeadersElected(List.of(
            new RequestedElections.Outcome("orders", 3, Errors.NONE.code(), null),
            new RequestedElections.Outcome("orders", 4, Errors.PREFERRED_LEADER_NOT_AVAILABLE.code(), "orders-4: not alive.")), 17));
    node.assertRoundTrips(messages);
  }
}
