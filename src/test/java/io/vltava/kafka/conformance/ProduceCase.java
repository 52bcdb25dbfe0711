package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceResponse;

/**
 * Produce: v0-2 are advertised (librdkafka enables compression only then) but close the
 * connection, as Kafka 4 does; from v3 plain and idempotent batches with acks 0, 1 and -1, by
 * name and from v13 by topic id, and the errors a producer meets.
 */
final class ProduceCase implements ApiCase {
  private static final short FIRST_SERVED_VERSION = 3;
  private static final short FIRST_VERSION_WITH_TOPIC_IDS = 13;
  private static final short FIRST_VERSION_WITH_LOG_START_OFFSET = 5;
  private static final short FIRST_VERSION_WITH_ZSTD = 7;
  private static final int MAX_MESSAGE_BYTES = 1024;

  /** Recent timestamps, so that segment.ms does not roll a segment per batch. */
  private final long timestampMs = System.currentTimeMillis();
  private String smallMessagesTopic;
  private String twoInsyncReplicasTopic;
  private String appendTimeTopic;

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.PRODUCE;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    if (version < FIRST_SERVED_VERSION) {
      // v0-2 bodies are v3's without the leading transactional id (a null string: 2 bytes).
      broker.sendExpectingClose(request((short) 1, topicData("produce-v" + version, null, 0,
          ConformanceBroker.batch("old", 1, timestampMs))), version, FIRST_SERVED_VERSION, 2,
          "PRODUCE v" + version + " is advertised but not served");
      return;
    }
    if (smallMessagesTopic == null) {
      smallMessagesTopic = broker.createTopic("produce-small", 1, Map.of("max.message.bytes", String.valueOf(MAX_MESSAGE_BYTES)));
      twoInsyncReplicasTopic = broker.createTopic("produce-min-isr", 1, Map.of("min.insync.replicas", "2"));
      appendTimeTopic = broker.createTopic("produce-append-time", 1, Map.of("message.timestamp.type", "LogAppendTime"));
    }
    String topic = broker.createTopic("produce-v" + version, 2);
    int leaderEpoch = broker.leaderEpoch(topic, 0);

    MemoryRecords first = ConformanceBroker.batch("acks-1", 3, timestampMs);
    assertAppended(produce(broker, version, (short) 1, topic, 0, first), version, 0);
    MemoryRecords second = ConformanceBroker.batch("acks-all", 2, timestampMs + 10);
    assertAppended(produce(broker, version, (short) -1, topic, 0, second), version, 3);
    MemoryRecords unanswered = ConformanceBroker.batch("acks-0", 1, timestampMs + 20);
    broker.sendWithoutResponse(request((short) 0, topicData(broker, version, topic, 0, unanswered)), version);

    long producerId = broker.newProducerId();
    MemoryRecords idempotent = ConformanceBroker.idempotentBatch(producerId, (short) 0, 0, "idempotent", 2, timestampMs + 30);
    assertAppended(produce(broker, version, (short) -1, topic, 0, idempotent), version, 6);
    MemoryRecords nextIdempotent = ConformanceBroker.idempotentBatch(producerId, (short) 0, 2, "idempotent-next", 1, timestampMs + 35);
    assertAppended(produce(broker, version, (short) -1, topic, 0, nextIdempotent), version, 8);
    // A retried batch (one of the producer's last five) is answered with the offset it got the first time, not appended again.
    assertAppended(produce(broker, version, (short) -1, topic, 0, idempotent), version, 6);
    assertAppended(produce(broker, version, (short) -1, topic, 0, nextIdempotent), version, 8);
    MemoryRecords gap = ConformanceBroker.idempotentBatch(producerId, (short) 0, 5, "gap", 1, timestampMs + 40);
    assertError(produce(broker, version, (short) -1, topic, 0, gap), Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
    // A bumped epoch starts again at sequence 0 (on partition 1); the older epoch is then fenced.
    MemoryRecords bumped = ConformanceBroker.idempotentBatch(producerId, (short) 1, 0, "bumped", 1, timestampMs + 50);
    assertAppended(produce(broker, version, (short) -1, topic, 1, bumped), version, 0);
    MemoryRecords stale = ConformanceBroker.idempotentBatch(producerId, (short) 0, 2, "stale", 1, timestampMs + 60);
    assertError(produce(broker, version, (short) -1, topic, 1, stale), Errors.INVALID_PRODUCER_EPOCH);

    FetchResponseData.PartitionData stored = broker.read(topic, 0, 0);
    assertEquals(9, stored.highWatermark(), "high watermark after 9 records");
    ByteBuffer expected = ByteBuffer.allocate(first.sizeInBytes() + second.sizeInBytes() + unanswered.sizeInBytes()
        + idempotent.sizeInBytes() + nextIdempotent.sizeInBytes());
    expected.put(ConformanceBroker.asStored(first, 0, leaderEpoch)).put(ConformanceBroker.asStored(second, 3, leaderEpoch))
        .put(ConformanceBroker.asStored(unanswered, 5, leaderEpoch)).put(ConformanceBroker.asStored(idempotent, 6, leaderEpoch))
        .put(ConformanceBroker.asStored(nextIdempotent, 8, leaderEpoch));
    assertArrayEquals(expected.array(), ConformanceBroker.bytesOf(stored.records()), "the log holds the batches as sent");

    assertError(produce(broker, version, (short) 1, topic, 2, ConformanceBroker.batch("p2", 1, timestampMs)),
        Errors.UNKNOWN_TOPIC_OR_PARTITION);
    // Clients may not write into internal topics, as in Kafka.
    assertError(produce(broker, version, (short) 1, broker.journalTopic(), 0, ConformanceBroker.batch("forged", 1, timestampMs)),
        Errors.INVALID_TOPIC_EXCEPTION);
    assertError(produce(broker, version, (short) 1, topic, 0, corruptCrc(ConformanceBroker.batch("crc", 2, timestampMs))),
        Errors.CORRUPT_MESSAGE);
    // Headers kafka-clients' batch reader trips over: a length near 2^31 (offset 8; its size
    // overflows), an unknown compression id (attributes at offset 21).
    ByteBuffer hugeLength = ByteBuffer.wrap(ConformanceBroker.bytesOf(ConformanceBroker.batch("huge", 1, timestampMs)));
    hugeLength.putInt(8, Integer.MAX_VALUE);
    assertError(produce(broker, version, (short) 1, topic, 0, MemoryRecords.readableRecords(hugeLength)),
        Errors.CORRUPT_MESSAGE);
    ByteBuffer unknownCompression = ByteBuffer.wrap(ConformanceBroker.bytesOf(ConformanceBroker.batch("codec", 1, timestampMs)));
    unknownCompression.putShort(21, (short) 7);
    assertError(produce(broker, version, (short) 1, topic, 0, MemoryRecords.readableRecords(unknownCompression)),
        Errors.CORRUPT_MESSAGE);
    assertError(produce(broker, version, (short) 2, topic, 0, ConformanceBroker.batch("acks-2", 1, timestampMs)),
        Errors.INVALID_REQUIRED_ACKS);
    assertError(produce(broker, version, (short) 1, topic, 0, MemoryRecords.EMPTY), Errors.INVALID_RECORD);
    assertError(produce(broker, version, (short) 1, topic, 0, MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1,
        Compression.NONE, new SimpleRecord(timestampMs, "v1".getBytes(StandardCharsets.UTF_8)))), Errors.INVALID_RECORD);
    assertError(produce(broker, version, (short) 1, topic, 0, twoBatches()), Errors.INVALID_RECORD);
    MemoryRecords zstd = ConformanceBroker.batch(Compression.zstd().build(), "zstd", 2, timestampMs);
    if (version >= FIRST_VERSION_WITH_ZSTD) {
      assertAppended(produce(broker, version, (short) 1, topic, 1, zstd), version, 1);
      byte[] storedZstd = ConformanceBroker.bytesOf(broker.read(topic, 1, 1).records());
      assertArrayEquals(ConformanceBroker.asStored(zstd, 1, leaderEpoch), storedZstd, "a compressed batch is stored as sent");
    } else {
      assertError(produce(broker, version, (short) 1, topic, 1, zstd), Errors.UNSUPPORTED_COMPRESSION_TYPE);
    }
    assertError(produce(broker, version, (short) 1, smallMessagesTopic, 0, oversized()), Errors.MESSAGE_TOO_LARGE);
    assertError(produce(broker, version, (short) -1, twoInsyncReplicasTopic, 0, ConformanceBroker.batch("min-isr", 1, timestampMs)),
        Errors.NOT_ENOUGH_REPLICAS);
    assertAppended(produce(broker, version, (short) 1, twoInsyncReplicasTopic, 0, ConformanceBroker.batch("min-isr", 1, timestampMs)),
        version, -1);
    assertEquals(9, broker.read(topic, 0, 0).highWatermark(), "refused batches are not appended");

    long beforeAppendMs = System.currentTimeMillis();
    PartitionProduceResponse appendTime = produce(broker, version, (short) 1, appendTimeTopic, 0,
        ConformanceBroker.batch("append-time", 2, timestampMs));
    assertEquals(Errors.NONE, Errors.forCode(appendTime.errorCode()));
    assertTrue(appendTime.logAppendTimeMs() >= beforeAppendMs && appendTime.logAppendTimeMs() <= System.currentTimeMillis(),
        "LogAppendTime of a LogAppendTime topic: " + appendTime.logAppendTimeMs());
    RecordBatch stamped = ((MemoryRecords) broker.read(appendTimeTopic, 0, appendTime.baseOffset()).records()).batches().iterator().next();
    assertEquals(TimestampType.LOG_APPEND_TIME, stamped.timestampType());
    assertEquals(appendTime.logAppendTimeMs(), stamped.maxTimestamp());

    if (version >= FIRST_VERSION_WITH_TOPIC_IDS) {
      ProduceResponse unknownId = broker.send(request((short) 1, topicData("", Uuid.randomUuid(), 0,
          ConformanceBroker.batch("unknown", 1, timestampMs))), version);
      assertError(only(unknownId), Errors.UNKNOWN_TOPIC_ID);
    } else {
      assertError(produce(broker, version, (short) 1, "no-such-topic", 0, ConformanceBroker.batch("unknown", 1, timestampMs)),
          Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }
  }

  /** Two batches for one partition; a produce request may carry only one. */
  private MemoryRecords twoBatches() {
    byte[] first = ConformanceBroker.bytesOf(ConformanceBroker.batch("one", 1, timestampMs));
    byte[] second = ConformanceBroker.bytesOf(ConformanceBroker.batch("two", 1, timestampMs));
    return MemoryRecords.readableRecords(ByteBuffer.allocate(first.length + second.length).put(first).put(second).flip());
  }

  /** A batch of one record larger than the small topic's max.message.bytes. */
  private MemoryRecords oversized() {
    return ConformanceBroker.batch("x".repeat(2 * MAX_MESSAGE_BYTES), 1, timestampMs);
  }

  /** The batch with its last byte (inside the last record's value, covered by the CRC) changed. */
  private static MemoryRecords corruptCrc(MemoryRecords batch) {
    ByteBuffer bytes = ByteBuffer.wrap(ConformanceBroker.bytesOf(batch));
    int last = bytes.limit() - 1;
    bytes.put(last, (byte) (bytes.get(last) ^ 0x5a));
    return MemoryRecords.readableRecords(bytes);
  }

  /** Produces to a topic named below v13 and by its id from v13, as clients of each version do. */
  private static PartitionProduceResponse produce(ConformanceBroker broker, short version, short acks, String topic,
      int partition, MemoryRecords records) throws Exception {
    ProduceResponse response = broker.send(request(acks, topicData(broker, version, topic, partition, records)), version);
    TopicProduceResponse answered = response.data().responses().iterator().next();
    if (version >= FIRST_VERSION_WITH_TOPIC_IDS) {
      assertEquals(broker.topicId(topic), answered.topicId());
    } else {
      assertEquals(topic, answered.name());
    }
    return only(response);
  }

  private static PartitionProduceResponse only(ProduceResponse response) {
    assertEquals(1, response.data().responses().size());
    List<PartitionProduceResponse> partitions = response.data().responses().iterator().next().partitionResponses();
    assertEquals(1, partitions.size());
    return partitions.get(0);
  }

  private static ProduceRequestData request(short acks, TopicProduceData topic) {
    ProduceRequestData request = new ProduceRequestData().setAcks(acks).setTimeoutMs(10_000).setTransactionalId(null);
    request.topicData().add(topic);
    return request;
  }

  private static TopicProduceData topicData(ConformanceBroker broker, short version, String topic, int partition,
      MemoryRecords records) {
    return version >= FIRST_VERSION_WITH_TOPIC_IDS
        ? topicData("", broker.topicId(topic), partition, records)
        : topicData(topic, null, partition, records);
  }

  /** Names the topic by {@code name}, or by {@code topicId} when it is given (v13+). */
  private static TopicProduceData topicData(String name, Uuid topicId, int partition, MemoryRecords records) {
    TopicProduceData data = new TopicProduceData().setPartitionData(List.of(
        new PartitionProduceData().setIndex(partition).setRecords(records)));
    return topicId == null ? data.setName(name) : data.setName("").setTopicId(topicId);
  }

  private static void assertAppended(PartitionProduceResponse answer, short version, long baseOffset) {
    assertEquals(Errors.NONE, Errors.forCode(answer.errorCode()), "error");
    if (baseOffset >= 0) {
      assertEquals(baseOffset, answer.baseOffset(), "base offset");
    }
    assertEquals(-1, answer.logAppendTimeMs(), "log append time of a CreateTime topic");
    assertEquals(version >= FIRST_VERSION_WITH_LOG_START_OFFSET ? 0 : -1, answer.logStartOffset(), "log start offset");
  }

  private static void assertError(PartitionProduceResponse answer, Errors error) {
    assertEquals(error, Errors.forCode(answer.errorCode()), "error");
    assertEquals(-1, answer.baseOffset(), "base offset of a refused batch");
  }
}
