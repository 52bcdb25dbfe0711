package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.vltava.kafka.KafkaSocket;
import io.vltava.node.FetchSessionSupport.Topic;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A node whose session cache has one slot, already taken: full fetches go on without sessions, at every version. */
@Timeout(180)
class FetchSessionCacheFullTest {
  @TempDir static Path dataDir;
  static FetchSessionSupport broker;
  static Topic topic;

  @BeforeAll
  static void start() throws Exception {
    broker = new FetchSessionSupport(
        TestNodes.start(dataDir, Map.of("vltava.fetch-sessions.max.incremental.fetch.session.cache.slots", 1)));
    topic = broker.createTopic("crowded", 3);
    broker.produce(topic.partition(0), "r0", "r1");
    try (KafkaSocket socket = new KafkaSocket(broker.node.kafkaAddress())) {
      FetchResponse first = broker.fetch(socket, (short) 12, FetchMetadata.INITIAL,
          Map.of(topic.partition(0), topic.at(0, 0), topic.partition(1), topic.at(1, 0), topic.partition(2), topic.at(2, 0)),
          List.of(), 0);
      assertNotEquals(FetchMetadata.INVALID_SESSION_ID, first.sessionId(), "the only slot is taken");
    }
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  static java.util.stream.IntStream sessionVersions() {
    return FetchSessionSupport.sessionVersions();
  }

  @ParameterizedTest(name = "Fetch v{0}")
  @MethodSource("sessionVersions")
  void fullFetchesAreAnsweredInFullWithoutASession(int v) throws Exception {
    short version = (short) v;
    try (KafkaSocket socket = new KafkaSocket(broker.node.kafkaAddress())) {
      for (int attempt = 0; attempt < 2; attempt++) {
        FetchResponse response = broker.fetch(socket, version, FetchMetadata.INITIAL,
            Map.of(topic.partition(0), topic.at(0, 0), topic.partition(1), topic.at(1, 0)), List.of(), 0);
        assertEquals(Errors.NONE, response.error());
        assertEquals(FetchMetadata.INVALID_SESSION_ID, response.sessionId(), "no room for a smaller session");
        assertEquals(Map.of(topic.partition(0), List.of("r0", "r1"), topic.partition(1), List.of()), topic.values(response, version));
      }
    }
    assertEquals(1, broker.node.fetchSessions().size());
    assertEquals(0, broker.node.fetchSessions().evictions());
  }
}
