package io.vltava.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An actor system with a node's config, for tests of messages that cross nodes: each message must
 * round-trip through the serializer that config binds, as Artery would send it. Register it as a
 * static {@code @RegisterExtension} field; it starts before the class's tests and stops after them.
 */
public final class NodeSerialization implements BeforeAllCallback, AfterAllCallback {
  private ActorTestKit testKit;
  private Serialization serialization;

  @Override
  public void beforeAll(ExtensionContext context) {
    testKit = ActorTestKit.create(ConfigFactory.parseResources("vltava-node.conf").withFallback(ConfigFactory.load()));
    serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    testKit.shutdownTestKit();
  }

  /** The running test kit, for probes whose refs go into the messages. */
  public ActorTestKit testKit() {
    return testKit;
  }

  /** Serializes each message with the bound serializer and asserts that it reads back equal. */
  public void assertRoundTrips(List<?> messages) throws Exception {
    for (Object message : messages) {
      byte[] bytes = serialization.serialize(message).get();
      Serializer serializer = serialization.findSerializerFor(message);
      Object back = serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, message)).get();
      assertEquals(message, back);
    }
  }
}
