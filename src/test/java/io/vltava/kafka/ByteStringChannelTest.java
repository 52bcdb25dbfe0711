package io.vltava.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.requests.ResponseHeader;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Responses drained through {@link ByteStringChannel} are byte for byte what kafka-clients'
 * copying serializer writes, at every Fetch version, whether the records are in memory or in a file.
 */
class ByteStringChannelTest {
  private static final Uuid TOPIC_ID = Uuid.fromString("Vz3JvyHnQJeBb-3W0Kmr_g");

  @TempDir
  Path dir;

  @Test
  void fetchResponsesWithRecordsInMemoryAreWrittenAsTheCopyingSerializerWritesThem() throws Exception {
    for (short version = ApiKeys.FETCH.oldestVersion(); version <= ApiKeys.FETCH.latestVersion(); version++) {
      FetchResponse response = response(version, batches(0), batches(3));
      assertSameBytes(response, version);
    }
  }

  @Test
  void fetchResponsesWithRecordsInAFileAreWrittenAsTheCopyingSerializerWritesThem() throws Exception {
    MemoryRecords inMemory = batches(7);
    Path file = dir.resolve("00000000000000000007.log");
    Files.write(file, copy(inMemory.buffer()));
    try (FileRecords inFile = FileRecords.open(file.toFile())) {
      for (short version = ApiKeys.FETCH.oldestVersion(); version <= ApiKeys.FETCH.latestVersion(); version++) {
        ByteString drained = ByteStringChannel.drain(
            response(version, inFile, MemoryRecords.EMPTY).toSend(header(version), version));
        assertArrayEquals(copying(response(version, inMemory, MemoryRecords.EMPTY), version), drained.toArray(),
            "Fetch v" + version);
      }
    }
  }

  @Test
  void recordBuffersAreSharedNotCopied() throws Exception {
    MemoryRecords records = batches(0);
    short version = ApiKeys.FETCH.latestVersion();
    ByteString drained = ByteStringChannel.drain(response(version, records, MemoryRecords.EMPTY).toSend(header(version), version));
    byte[] before = drained.toArray();
    int recordsAt = indexOf(before, copy(records.buffer()));
    records.buffer().put(records.buffer().position() + 20, (byte) 0x5A);
    assertEquals(0x5A, drained.apply(recordsAt + 20), "the response reads the records' own buffer");
  }

  private static void assertSameBytes(FetchResponse response, short version) throws Exception {
    byte[] expected = copying(response, version);
    ByteString drained = ByteStringChannel.drain(response.toSend(header(version), version));
    assertArrayEquals(expected, drained.toArray(), "Fetch v" + version);
  }

  /** The size-prefixed bytes kafka-clients' RequestUtils.serialize writes (one copy of everything). */
  private static byte[] copying(FetchResponse response, short version) {
    ResponseHeader header = header(version);
    ByteBuffer body = RequestUtils.serialize(header.data(), header.headerVersion(), response.data(), version);
    ByteBuffer framed = ByteBuffer.allocate(4 + body.remaining()).putInt(body.remaining()).put(body);
    return framed.array();
  }

  private static ResponseHeader header(short version) {
    return new ResponseHeader(41, ApiKeys.FETCH.responseHeaderVersion(version));
  }

  private static FetchResponse response(short version, org.apache.kafka.common.record.internal.Records first,
      MemoryRecords second) {
    LinkedHashMap<TopicIdPartition, FetchResponseData.PartitionData> partitions = new LinkedHashMap<>();
    partitions.put(new TopicIdPartition(TOPIC_ID, 0, "orders"), new FetchResponseData.PartitionData()
        .setPartitionIndex(0).setHighWatermark(12).setLastStableOffset(12).setLogStartOffset(0).setRecords(first));
    partitions.put(new TopicIdPartition(TOPIC_ID, 1, "orders"), new FetchResponseData.PartitionData()
        .setPartitionIndex(1).setHighWatermark(5).setLastStableOffset(5).setLogStartOffset(3).setRecords(second));
    List<Node> endpoints = version >= 16 ? List.of(new Node(2, "broker-2", 9093)) : List.of();
    return FetchResponse.of(Errors.NONE, 0, version >= 7 ? 1234 : 0, partitions, endpoints);
  }

  /** Two batches from {@code baseOffset}, in a slice of a larger array (its array offset is not 0). */
  private static MemoryRecords batches(long baseOffset) {
    MemoryRecords one = MemoryRecords.withRecords(baseOffset, Compression.NONE,
        new SimpleRecord(1_700_000_000_000L, "k1".getBytes(StandardCharsets.UTF_8), "v1".getBytes(StandardCharsets.UTF_8)),
        new SimpleRecord(1_700_000_000_001L, null, "v2".getBytes(StandardCharsets.UTF_8)));
    MemoryRecords two = MemoryRecords.withRecords(baseOffset + 2, Compression.NONE,
        new SimpleRecord(1_700_000_000_002L, "k3".getBytes(StandardCharsets.UTF_8), new byte[300]));
    ByteBuffer both = ByteBuffer.allocate(7 + one.sizeInBytes() + two.sizeInBytes());
    both.position(7);
    both.put(one.buffer().duplicate()).put(two.buffer().duplicate());
    both.position(7);
    return MemoryRecords.readableRecords(both.slice());
  }

  private static byte[] copy(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("records not found in the response");
  }
}
