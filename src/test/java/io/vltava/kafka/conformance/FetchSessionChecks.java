package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.vltava.testkit.FetchedValues;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchRequestData.ForgottenTopic;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;

/**
 * {@link FetchCase}'s checks of incremental fetch sessions (KIP-227, Fetch v7+), each on a topic
 * of its own: a full fetch creating a session and answering every partition; an incremental fetch
 * with nothing new (empty); one after new data (only that partition); a forgotten partition; a
 * wrong epoch, a switch between topic names and ids, an unknown id (none of which changes the
 * session); and closing it with epoch -1.
 */
final class FetchSessionChecks {
  private static final short FIRST_VERSION_WITH_TOPIC_IDS = 13;
  private static final short FIRST_VERSION_WITH_REPLICA_STATE = 15;

  private FetchSessionChecks() {}

  static void check(ConformanceBroker broker, short version) throws Exception {
    // Records carry the current time: older ones (beyond segment.ms) would each roll a segment, and
    // a fetch returns batches of one segment only, as Kafka's does.
    Topic topic = new Topic(broker, broker.createTopic("fetch-session-v" + version, 2));
    broker.produce(topic.name, 0, 3, System.currentTimeMillis());
    FetchResponse full = send(broker, version, request(version, FetchMetadata.INITIAL, 0)
        .setTopics(List.of(topic.fetch(version, partition(version, 0, 0, -1), partition(version, 1, 0, -1)))));
    assertEquals(Errors.NONE, full.error());
    assertEquals(Map.of(topic.partition(0), List.of("value-0", "value-1", "value-2"), topic.partition(1), List.of()),
        topic.values(full, version));
    checkSession(broker, version, topic, full.sessionId());
  }

  /** The session the full fetch created, through its life. */
  private static void checkSession(ConformanceBroker broker, short version, Topic topic, int sessionId) throws Exception {
    assertNotEquals(FetchMetadata.INVALID_SESSION_ID, sessionId, "a full fetch creates a session");
    FetchResponse nothingNew = send(broker, version, request(version, new FetchMetadata(sessionId, 1), 50)
        .setTopics(List.of(topic.fetch(version, partition(version, 0, 3, -1)))));
    assertEquals(Errors.NONE, nothingNew.error());
    assertEquals(sessionId, nothingNew.sessionId());
    assertEquals(List.of(), nothingNew.data().responses(), "nothing new, nothing answered");

    broker.produce(topic.name, 1, 1, System.currentTimeMillis());
    FetchResponse oneNew = send(broker, version, request(version, new FetchMetadata(sessionId, 2), 5_000));
    assertEquals(Map.of(topic.partition(1), List.of("value-0")), topic.values(oneNew, version));

    broker.produce(topic.name, 0, 1, System.currentTimeMillis());
    broker.produce(topic.name, 1, 1, System.currentTimeMillis());
    FetchResponse forgot = send(broker, version, request(version, new FetchMetadata(sessionId, 3), 5_000)
        .setForgottenTopicsData(List.of(topic.forget(version, 0))));
    assertEquals(Map.of(topic.partition(1), List.of("value-0", "value-0")), topic.values(forgot, version),
        "partition 0 is forgotten; partition 1 is read again from its cached offset");

    assertEquals(Errors.INVALID_FETCH_SESSION_EPOCH,
        send(broker, version, request(version, new FetchMetadata(sessionId, 3), 0)).error());
    assertEquals(Errors.INVALID_FETCH_SESSION_EPOCH,
        send(broker, version, request(version, new FetchMetadata(sessionId, 9), 0)).error());
    // A session keeps to topic ids, or to names, as it started.
    short otherNaming = (short) (version >= FIRST_VERSION_WITH_TOPIC_IDS ? FIRST_VERSION_WITH_TOPIC_IDS - 1 : FIRST_VERSION_WITH_TOPIC_IDS);
    assertEquals(Errors.FETCH_SESSION_TOPIC_ID_ERROR,
        send(broker, otherNaming, request(otherNaming, new FetchMetadata(sessionId, 4), 0)).error());
    assertEquals(Errors.FETCH_SESSION_ID_NOT_FOUND,
        send(broker, version, request(version, new FetchMetadata(sessionId ^ 0x40000000, 1), 0)).error());
    // None of the refused requests moved the session on.
    FetchResponse intact = send(broker, version, request(version, new FetchMetadata(sessionId, 4), 50)
        .setTopics(List.of(topic.fetch(version, partition(version, 1, 2, -1)))));
    assertEquals(Errors.NONE, intact.error());
    assertEquals(List.of(), intact.data().responses(), "the session still caches partition 1 at its last high watermark");
    FetchResponse closed = send(broker, version, request(version, new FetchMetadata(sessionId, FetchMetadata.FINAL_EPOCH), 0)
        .setTopics(List.of(topic.fetch(version, partition(version, 0, 3, -1)))));
    assertEquals(FetchMetadata.INVALID_SESSION_ID, closed.sessionId());
    assertEquals(Map.of(topic.partition(0), List.of("value-0")), topic.values(closed, version));
    assertEquals(Errors.FETCH_SESSION_ID_NOT_FOUND,
        send(broker, version, request(version, new FetchMetadata(sessionId, 5), 0)).error());
  }

  /** A consumer's request at {@code version}, every field the version has set as a client would. */
  private static FetchRequestData request(short version, FetchMetadata session, int maxWaitMs) {
    FetchRequestData request = new FetchRequestData()
        .setMaxWaitMs(maxWaitMs).setMinBytes(1).setMaxBytes(8 * 1024 * 1024)
        .setIsolationLevel(IsolationLevel.READ_COMMITTED.id());
    if (version < FIRST_VERSION_WITH_REPLICA_STATE) {
      request.setReplicaId(FetchRequest.CONSUMER_REPLICA_ID);
    }
    request.setSessionId(session.sessionId()).setSessionEpoch(session.epoch());
    if (version >= 11) {
      request.setRackId("rack-a");
    }
    return request;
  }

  private static FetchPartition partition(short version, int partition, long fetchOffset, int currentLeaderEpoch) {
    FetchPartition fetch = new FetchPartition().setPartition(partition).setFetchOffset(fetchOffset).setPartitionMaxBytes(1024 * 1024);
    if (version >= 5) {
      fetch.setLogStartOffset(-1);
    }
    if (version >= 9) {
      fetch.setCurrentLeaderEpoch(currentLeaderEpoch);
    }
    if (version >= 12) {
      fetch.setLastFetchedEpoch(-1);
    }
    return fetch;
  }

  private static FetchResponse send(ConformanceBroker broker, short version, FetchRequestData request) throws Exception {
    return broker.send(request, version);
  }

  /** The case's topic, named by name below v13 and by id from v13. */
  private record Topic(String name, Uuid id) {
    Topic(ConformanceBroker broker, String name) {
      this(name, broker.topicId(name));
    }

    TopicPartition partition(int partition) {
      return new TopicPartition(name, partition);
    }

    FetchTopic fetch(short version, FetchPartition... partitions) {
      FetchTopic topic = new FetchTopic().setPartitions(List.of(partitions));
      return version < FIRST_VERSION_WITH_TOPIC_IDS ? topic.setTopic(name) : topic.setTopicId(id);
    }

    ForgottenTopic forget(short version, int partition) {
      ForgottenTopic topic = new ForgottenTopic().setPartitions(List.of(partition));
      return version < FIRST_VERSION_WITH_TOPIC_IDS ? topic.setTopic(name) : topic.setTopicId(id);
    }

    PartitionData data(FetchResponse response, short version, int partition) {
      return response.responseData(Map.of(id, name), version).get(partition(partition));
    }

    /** The record values of each partition the response carries, none of which may carry an error. */
    Map<TopicPartition, List<String>> values(FetchResponse response, short version) {
      return FetchedValues.byPartition(response, id, name, version);
    }
  }
}
