package io.vltava.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.vltava.metadata.RequestedElections;
import java.util.List;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An ElectLeaders request reaches the controller singleton from any node, and its reply goes back:
 * both round-trip through the serializer a node's config binds, as Artery would send them.
 */
class ElectLeadersSerializationTest {
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
  void electLeadersAndItsReplyRoundTrip() throws Exception {
    TestProbe<Controller.LeadersElected> replyTo = testKit.createTestProbe();
    List<Object> messages = List.of(
        new Controller.ElectLeaders(RequestedElections.Type.UNCLEAN, false,
            List.of(new RequestedElections.PartitionId("orders", 3)), replyTo.ref()),
        new Controller.ElectLeaders(RequestedElections.Type.PREFERRED, true, List.of(), replyTo.ref()),
        new Controller.LeadersElected(List.of(
            new RequestedElections.Outcome("orders", 3, Errors.NONE.code(), null),
            new RequestedElections.Outcome("orders", 4, Errors.PREFERRED_LEADER_NOT_AVAILABLE.code(), "orders-4: not alive.")), 17));
    for (Object message : messages) {
      byte[] bytes = serialization.serialize(message).get();
      var serializer = serialization.findSerializerFor(message);
      assertEquals(message, serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, message)).get());
    }
  }
}
