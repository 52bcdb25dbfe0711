package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchResponse;

/**
 * Fetch as consumers send it without fetch sessions (session id 0, epoch -1): by name below v13
 * and by topic id from v13; the stored batches back byte for byte, the partition's offsets, long
 * polling, and the errors of bad offsets, topics, partitions, epochs and session ids. From v7 the
 * incremental fetch sessions too ({@link FetchSessionChecks}).
 */
final class FetchCase implements ApiCase {
  private static final short FIRST_VERSION_WITH_SESSIONS = 7;
  private static final short FIRST_VERSION_WITH_LEADER_EPOCH = 9;
  private static final short FIRST_VERSION_WITH_LAST_FETCHED_EPOCH = 12;
  private static final short FIRST_VERSION_WITH_TOPIC_IDS = 13;
  private static final int MAX_WAIT_MS = 400;
  private static final int LONG_MAX_WAIT_MS = 8_000;

  /** Recent timestamps, so that segment.ms does not roll a segment per batch. */
  private final long timestampMs = System.currentTimeMillis();
  private String topic;
  private int leaderEpoch;
  private byte[] firstBatch;
  private byte[] secondBatch;

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.FETCH;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    if (topic == null) {
      topic = broker.createTopic("fetch", 2);
      leaderEpoch = broker.leaderEpoch(topic, 0);
      MemoryRecords first = ConformanceBroker.batch("first", 3, timestampMs);
      MemoryRecords second = ConformanceBroker.batch("second", 2, timestampMs + 3);
      assertEquals(0, broker.produce(topic, 0, first));
      assertEquals(3, broker.produce(topic, 0, second));
      firstBatch = ConformanceBroker.asStored(first, 0, leaderEpoch);
      secondBatch = ConformanceBroker.asStored(second, 3, leaderEpoch);
    }
    Fetches fetches = new Fetches(broker, version);

    PartitionData all = fetches.one(0, 0, 1 << 20);
    assertRead(all, version, concat(firstBatch, secondBatch));
    // A fetch inside a batch gets the whole batch, as Kafka serves whole batches.
    assertRead(fetches.one(0, 1, 1 << 20), version, concat(firstBatch, secondBatch));
    assertRead(fetches.one(0, 3, 1 << 20), version, secondBatch);
    // A limit smaller than the first batch still returns that batch whole, so a consumer progresses.
    assertRead(fetches.one(0, 0, 10), version, firstBatch);
    assertRead(only(fetches.send(0, 1, 10, 1 << 20, fetches.partition(0, 0))), version, firstBatch);

    long started = System.nanoTime();
    PartitionData nothingNew = only(fetches.send(MAX_WAIT_MS, 1, 1 << 20, 1 << 20, fetches.partition(0, 5)));
    long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertRead(nothingNew, version, new byte[0]);
    assertTrue(waitedMs >= MAX_WAIT_MS - 20 && waitedMs < MAX_WAIT_MS + 5_000,
        "an unsatisfied fetch waits max_wait_ms (" + MAX_WAIT_MS + "), waited " + waitedMs);

    // min_bytes not reached: the fetch waits max_wait_ms, then answers with what there is.
    started = System.nanoTime();
    PartitionData belowMinBytes = only(fetches.send(MAX_WAIT_MS, 1 << 20, 1 << 21, 1 << 20, fetches.partition(0, 0)));
    waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertRead(belowMinBytes, version, concat(firstBatch, secondBatch));
    assertTrue(waitedMs >= MAX_WAIT_MS - 20 && waitedMs < MAX_WAIT_MS + 5_000,
        "a fetch below min_bytes waits max_wait_ms (" + MAX_WAIT_MS + "), waited " + waitedMs);

    long endOfPartition1 = broker.read(topic, 1, 0).highWatermark();
    String value = "long-poll-v" + version;
    Future<RecordMetadata> sent = broker.startSending(topic, 1, value);
    started = System.nanoTime();
    PartitionData arrived = only(fetches.send(LONG_MAX_WAIT_MS, 1, 1 << 20, 1 << 20, fetches.partition(1, endOfPartition1)));
    waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertEquals(endOfPartition1, sent.get(10, TimeUnit.SECONDS).offset());
    assertEquals(Errors.NONE.code(), arrived.errorCode());
    List<Record> records = new ArrayList<>();
    ((MemoryRecords) arrived.records()).records().forEach(records::add);
    assertEquals(1, records.size(), "the record that arrived while the fetch waited");
    assertEquals(endOfPartition1, records.get(0).offset());
    assertEquals(value, StandardCharsets.UTF_8.decode(records.get(0).value()).toString());
    assertTrue(waitedMs < LONG_MAX_WAIT_MS, "a fetch answers when data arrives, not at max_wait_ms; waited " + waitedMs);

    // The response limit: the first partition's first batch always, later batches only if they fit.
    FetchResponse limited = broker.send(fetches.request(0, 0, firstBatch.length + 10,
        fetches.partition(0, 0), fetches.partition(1, 0)), version);
    assertEquals(2, limited.data().responses().get(0).partitions().size());
    assertRead(limited.data().responses().get(0).partitions().get(0), version, firstBatch);
    PartitionData overLimit = limited.data().responses().get(0).partitions().get(1);
    assertEquals(Errors.NONE.code(), overLimit.errorCode());
    assertEquals(endOfPartition1 + 1, overLimit.highWatermark());
    assertEquals(0, overLimit.records().sizeInBytes(), "partition 1's batches do not fit in the response's max_bytes");

    PartitionData outOfRange = fetches.one(0, 100, 1 << 20);
    assertEquals(Errors.OFFSET_OUT_OF_RANGE, Errors.forCode(outOfRange.errorCode()));
    assertNoData(outOfRange);
    PartitionData unknownPartition = fetches.one(5, 0, 1 << 20);
    assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.forCode(unknownPartition.errorCode()));
    assertNoData(unknownPartition);
    assertUnknownTopic(broker, version);
    if (version >= FIRST_VERSION_WITH_LEADER_EPOCH) {
      PartitionData newerEpoch = only(fetches.send(0, 0, 1 << 20, 1 << 20,
          fetches.partition(0, 0).setCurrentLeaderEpoch(leaderEpoch + 1)));
      assertEquals(Errors.UNKNOWN_LEADER_EPOCH, Errors.forCode(newerEpoch.errorCode()));
      assertNoData(newerEpoch);
      // One node never changes leader: -2 stands for an older epoch (any but -1, "none", is compared).
      PartitionData olderEpoch = only(fetches.send(0, 0, 1 << 20, 1 << 20,
          fetches.partition(0, 0).setCurrentLeaderEpoch(-2)));
      assertEquals(Errors.FENCED_LEADER_EPOCH, Errors.forCode(olderEpoch.errorCode()));
      assertNoData(olderEpoch);
    }
    if (version >= FIRST_VERSION_WITH_SESSIONS) {
      FetchResponse unknownSession = broker.send(fetches.request(0, 0, 1 << 20, fetches.partition(0, 0))
          .setSessionId(0x5e55).setSessionEpoch(1), version);
      assertEquals(Errors.FETCH_SESSION_ID_NOT_FOUND.code(), unknownSession.data().errorCode());
      assertEquals(0, unknownSession.data().sessionId());
      assertEquals(List.of(), unknownSession.data().responses());
      FetchSessionChecks.check(broker, version);
    }
    checkConsumerQuota(broker, version, fetches);
  }

  /**
   * A consumer over its consumer_byte_rate gets an empty answer with throttle_time_ms, and the bytes
   * it was not sent do not count (Kafka's throttled fetch): a client id of its own may read
   * partition 0 once a window, and each fetch after that is throttled the same short time, where
   * counting the unsent bytes would make it several times longer. Each fetch on its own connection
   * (a throttled one is muted); from v7 as a full fetch, which must open no session when throttled.
   */
  private void checkConsumerQuota(ConformanceBroker broker, short version, Fetches fetches) throws Exception {
    int partitionBytes = firstBatch.length + secondBatch.length;
    // Within a 10 s window one read is a tenth of the bytes per second, two are a fifth.
    long bytesPerSecond = (long) Math.floor(0.19 * partitionBytes);
    String clientId = "fetch-quota-v" + version;
    ClientQuotaEntity entity = new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, clientId));
    alterConsumerQuota(broker, entity, (double) bytesPerSecond);
    try {
      FetchResponse read = fetchAs(broker, clientId, version, fetches);
      assertEquals(0, read.throttleTimeMs());
      assertRead(only(read), version, concat(firstBatch, secondBatch));
      FetchResponse throttled = fetchAs(broker, clientId, version, fetches);
      FetchResponse again = fetchAs(broker, clientId, version, fetches);
      for (FetchResponse response : List.of(throttled, again)) {
        assertEquals(Errors.NONE.code(), response.data().errorCode());
        assertEquals(List.of(), response.data().responses(), "a throttled fetch is answered empty");
        assertEquals(FetchMetadata.INVALID_SESSION_ID, response.data().sessionId(), "a throttled full fetch opens no session");
      }
      // (2/10 - 0.19) / 0.19 of the 10 s window; with the unsent bytes counted it would be (3/10 - 0.19) / 0.19.
      double expectedMs = (partitionBytes * 2 / 10.0 - bytesPerSecond) / bytesPerSecond * 10_000;
      assertEquals(expectedMs, throttled.throttleTimeMs(), 0.25 * expectedMs + 50);
      assertEquals(expectedMs, again.throttleTimeMs(), 0.25 * expectedMs + 50, "the unsent bytes were counted");
    } finally {
      alterConsumerQuota(broker, entity, null);
    }
  }

  private FetchResponse fetchAs(ConformanceBroker broker, String clientId, short version, Fetches fetches) throws Exception {
    FetchRequestData request = fetches.request(0, 0, 1 << 20, fetches.partition(0, 0));
    if (version >= FIRST_VERSION_WITH_SESSIONS) {
      request.setSessionEpoch(FetchMetadata.INITIAL_EPOCH);
    }
    try (ConformanceBroker.Connection connection = broker.connectAs(clientId)) {
      return connection.send(request, version);
    }
  }

  private static void alterConsumerQuota(ConformanceBroker broker, ClientQuotaEntity entity, Double bytesPerSecond) throws Exception {
    broker.admin().alterClientQuotas(List.of(new ClientQuotaAlteration(entity,
        List.of(new ClientQuotaAlteration.Op("consumer_byte_rate", bytesPerSecond))))).all().get();
  }

  private void assertUnknownTopic(ConformanceBroker broker, short version) throws Exception {
    FetchTopic unknown = new FetchTopic().setPartitions(List.of(new FetchPartition().setPartition(0).setPartitionMaxBytes(1024)));
    Uuid unknownId = Uuid.randomUuid();
    if (version >= FIRST_VERSION_WITH_TOPIC_IDS) {
      unknown.setTopicId(unknownId);
    } else {
      unknown.setTopic("no-such-topic");
    }
    FetchRequestData request = new FetchRequestData().setMaxWaitMs(MAX_WAIT_MS).setMinBytes(1).setMaxBytes(1 << 20)
        .setIsolationLevel(IsolationLevel.READ_COMMITTED.id()).setTopics(List.of(unknown));
    FetchResponse response = broker.send(request, version);
    FetchableTopicResponse answered = response.data().responses().get(0);
    PartitionData partition = answered.partitions().get(0);
    if (version >= FIRST_VERSION_WITH_TOPIC_IDS) {
      assertEquals(unknownId, answered.topicId());
      assertEquals(Errors.UNKNOWN_TOPIC_ID, Errors.forCode(partition.errorCode()));
    } else {
      assertEquals("no-such-topic", answered.topic());
      assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.forCode(partition.errorCode()));
    }
    assertNoData(partition);
  }

  /** Builds this version's sessionless consumer fetches of {@link #topic}. */
  private final class Fetches {
    private final ConformanceBroker broker;
    private final short version;

    Fetches(ConformanceBroker broker, short version) {
      this.broker = broker;
      this.version = version;
    }

    FetchPartition partition(int index, long fetchOffset) {
      FetchPartition partition = new FetchPartition().setPartition(index).setFetchOffset(fetchOffset).setPartitionMaxBytes(1 << 20);
      if (version >= FIRST_VERSION_WITH_LEADER_EPOCH) {
        partition.setCurrentLeaderEpoch(leaderEpoch);
      }
      if (version >= FIRST_VERSION_WITH_LAST_FETCHED_EPOCH && fetchOffset > 0) {
        partition.setLastFetchedEpoch(leaderEpoch);
      }
      return partition;
    }

    FetchRequestData request(int maxWaitMs, int minBytes, int maxBytes, FetchPartition... partitions) {
      FetchTopic fetchTopic = new FetchTopic().setPartitions(List.of(partitions));
      if (version >= FIRST_VERSION_WITH_TOPIC_IDS) {
        fetchTopic.setTopicId(broker.topicId(topic));
      } else {
        fetchTopic.setTopic(topic);
      }
      FetchRequestData request = new FetchRequestData().setMaxWaitMs(maxWaitMs).setMinBytes(minBytes).setMaxBytes(maxBytes)
          .setIsolationLevel(IsolationLevel.READ_COMMITTED.id()).setTopics(List.of(fetchTopic));
      if (version >= FIRST_VERSION_WITH_SESSIONS) {
        request.setSessionId(FetchMetadata.INVALID_SESSION_ID).setSessionEpoch(FetchMetadata.FINAL_EPOCH);
      }
      if (version >= 11) {
        request.setRackId("rack-a");
      }
      return request;
    }

    /** A fetch of one partition that does not wait. */
    PartitionData one(int partition, long fetchOffset, int partitionMaxBytes) throws Exception {
      return only(send(0, 0, 1 << 20, partitionMaxBytes, partition(partition, fetchOffset)));
    }

    FetchResponse send(int maxWaitMs, int minBytes, int maxBytes, int partitionMaxBytes, FetchPartition partition) throws Exception {
      FetchResponse response = broker.send(request(maxWaitMs, minBytes, maxBytes, partition.setPartitionMaxBytes(partitionMaxBytes)), version);
      assertEquals(Errors.NONE.code(), response.data().errorCode());
      if (version >= FIRST_VERSION_WITH_SESSIONS) {
        assertEquals(FetchMetadata.INVALID_SESSION_ID, response.data().sessionId(), "a sessionless fetch opens no session");
      }
      FetchableTopicResponse answered = response.data().responses().get(0);
      if (version >= FIRST_VERSION_WITH_TOPIC_IDS) {
        assertEquals(broker.topicId(topic), answered.topicId());
      } else {
        assertEquals(topic, answered.topic());
      }
      assertEquals(partition.partition(), answered.partitions().get(0).partitionIndex());
      return response;
    }
  }

  private static PartitionData only(FetchResponse response) {
    assertEquals(1, response.data().responses().size());
    assertEquals(1, response.data().responses().get(0).partitions().size());
    return response.data().responses().get(0).partitions().get(0);
  }

  private static void assertRead(PartitionData answer, short version, byte[] batches) {
    assertEquals(Errors.NONE, Errors.forCode(answer.errorCode()), "error");
    assertEquals(5, answer.highWatermark(), "high watermark");
    assertEquals(5, answer.lastStableOffset(), "last stable offset (no transactions)");
    assertEquals(version >= 5 ? 0 : -1, answer.logStartOffset(), "log start offset");
    assertEquals(-1, answer.preferredReadReplica(), "preferred read replica");
    assertArrayEquals(batches, ConformanceBroker.bytesOf(answer.records()), "records as stored");
  }

  private static void assertNoData(PartitionData answer) {
    assertEquals(-1, answer.highWatermark(), "high watermark");
    assertEquals(-1, answer.lastStableOffset(), "last stable offset");
    assertEquals(-1, answer.logStartOffset(), "log start offset");
    assertEquals(0, answer.records().sizeInBytes(), "records");
  }

  private static byte[] concat(byte[] first, byte[] second) {
    return ByteBuffer.allocate(first.length + second.length).put(first).put(second).array();
  }
}
