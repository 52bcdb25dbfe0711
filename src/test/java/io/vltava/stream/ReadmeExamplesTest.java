package io.vltava.stream;

import static io.vltava.stream.StreamTestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's examples that need no consumer group run as written, the in-cluster one on the broker node. */
class ReadmeExamplesTest {
  @TempDir static Path dataDir;
  static StreamTestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = new StreamTestBroker(dataDir);
    broker.createTopic("greetings", 1);
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  @Test
  void producerSinkFlowAndPlainSourceExamples() throws Exception {
    await(ReadmeExamples.produce(broker.testKit.system(), broker.bootstrap()));
    List<String> results = await(ReadmeExamples.produceWithPassThrough(broker.testKit.system(), broker.bootstrap()));
    assertEquals("element 1 at 0/100", results.get(0));
    assertEquals("element 10 at 0/109", results.get(9));

    var running = ReadmeExamples.readFromStart(broker.testKit.system(), broker.bootstrap());
    List<String> values = await(running.second());
    assertEquals("hello 1", values.get(0));
    assertEquals("hello 100", values.get(99));
    await(running.first().isShutdown());
    assertTrue(running.first().isShutdown().toCompletableFuture().isDone());

    List<String> all = await(ReadmeExamples.inCluster(broker.node));
    assertEquals("hello 1", all.get(0));
    assertEquals("in-cluster 10", all.get(119));
  }
}
