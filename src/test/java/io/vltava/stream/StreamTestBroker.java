package io.vltava.stream;

import io.vltava.node.TestNodes;
import io.vltava.node.VltavaNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One Vltava node (the broker) and a separate ActorSystem (the streaming application) for a test
 * class, the way a user runs them: the application reaches the broker over the Kafka protocol
 * ({@link Transport#REMOTE}), or runs on the node's own system ({@link Transport#IN_CLUSTER}).
 */
final class StreamTestBroker implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
  VltavaNode node;
  Admin admin;
  ActorTestKit testKit;
  private Path ownDataDir;

  /** For {@code @RegisterExtension static}: starts before the class's tests in a temporary directory it deletes afterwards. */
  StreamTestBroker() {}

  StreamTestBroker(Path dataDir) throws Exception {
    start(dataDir);
  }

  private void start(Path dataDir) throws Exception {
    node = TestNodes.start(dataDir);
    admin = Admin.create(TestNodes.adminProps(node.bootstrapServers()));
    testKit = ActorTestKit.create();
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    ownDataDir = java.nio.file.Files.createTempDirectory("vltava-stream-test");
    start(ownDataDir);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    close();
    org.apache.kafka.common.utils.Utils.delete(ownDataDir.toFile());
  }

  String bootstrap() {
    return node.bootstrapServers();
  }

  /** How the streaming application reaches the broker; behavioural tests run with each. */
  enum Transport {
    /** A separate ActorSystem, over the Kafka protocol. */
    REMOTE,
    /** The broker node's own ActorSystem, through cluster sharding. */
    IN_CLUSTER
  }

  /** The ActorSystem the application runs its streams on with {@code transport}. */
  ActorSystem<?> system(Transport transport) {
    return transport == Transport.REMOTE ? testKit.system() : node.system();
  }

  <K, V> ProducerSettings<K, V> producerSettings(Transport transport, Serializer<K> keys, Serializer<V> values) {
    ProducerSettings<K, V> settings = ProducerSettings.create(system(transport), keys, values);
    return transport == Transport.REMOTE
        ? settings.withBootstrapServers(bootstrap())
        : settings.withTransport(InClusterProducerTransport.factory(node.system(), node.metadata()));
  }

  <K, V> ConsumerSettings<K, V> consumerSettings(Transport transport, Deserializer<K> keys, Deserializer<V> values) {
    ConsumerSettings<K, V> settings = ConsumerSettings.create(system(transport), keys, values);
    return transport == Transport.REMOTE
        ? settings.withBootstrapServers(bootstrap())
        : settings.withTransport(InClusterConsumerTransport.factory(node.system()));
  }

  void createTopic(String topic, int partitions) throws Exception {
    admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
  }

  long endOffset(TopicPartition partition) throws Exception {
    return admin.listOffsets(Map.of(partition, OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS)
        .get(partition).offset();
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    testKit.shutdownTestKit();
    admin.close();
    node.close();
  }
}
