package io.vltava.controller;

import io.vltava.metadata.PartitionState;
import io.vltava.testkit.NodeSerialization;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A broker's report that its replica is offline or back reaches the controller singleton from any node, and so does the answer. */
class ReplicaStatusSerializationTest {
  @RegisterExtension
  static final NodeSerialization node = new NodeSerialization();

  @Test
  void reportsAndTheirAnswersRoundTrip() throws Exception {
    TestProbe<Controller.IsrChanged> replyTo = node.testKit().createTestProbe();
    node.assertRoundTrips(List.of(
        new Controller.ReplicaStatus("orders", 3, 2, false, replyTo.ref()),
        new Controller.ReplicaStatus("orders", 3, 2, true, replyTo.ref()),
        new Controller.IsrChanged((short) 0, new PartitionState(List.of(2, 1, 3), 1, 5, List.of(1, 3), 9))));
  }
}
