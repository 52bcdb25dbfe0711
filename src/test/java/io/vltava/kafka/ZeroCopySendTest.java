package io.vltava.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fetch responses whose records are slices of a file, as the zero-copy transport sends them with
 * sendfile: the bytes on the wire equal the copying transport's, and a file truncated or deleted
 * between the read and the send closes the connection mid-frame rather than sending a frame that
 * passes for whole.
 */
@Timeout(120)
class ZeroCopySendTest {

  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final short FETCH_VERSION = 12;
  private static final int RECORDS = 200;

  @TempDir Path dir;

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  @Test
  void fileSlicesGoOnTheWireExactlyAsTheCopyingTransportSendsThem() throws Exception {
    try (FileRecords file = segmentFile("wire.log")) {
      // A slice from the second batch on, as a read from the middle of a segment returns.
      int firstBatchBytes = file.batches().iterator().next().sizeInBytes();
      Function<RequestContext, Records> slice = context -> sliceFrom(file, firstBatchBytes);
      byte[] copied = fetchFrame(false, slice);
      byte[] sentFromFile = fetchFrame(true, slice);
      assertArrayEquals(copied, sentFromFile);

      FetchResponse response = (FetchResponse) FetchResponse.parseResponse(ByteBuffer.wrap(sentFromFile), fetchHeader());
      MemoryRecords records = (MemoryRecords) response.data().responses().get(0).partitions().get(0).records();
      ByteBuffer expected = ByteBuffer.allocate(file.sizeInBytes() - firstBatchBytes);
      file.readInto(expected, firstBatchBytes);
      assertEquals(expected, records.buffer()); // readInto leaves it flipped
    }
  }

  @Test
  void aFileTruncatedBeforeTheSendClosesTheConnectionMidFrame() throws Exception {
    FileRecords file = segmentFile("truncated.log");
    try (file) {
      assertBrokenMidFrame(context -> {
        Records slice = sliceFrom(file, 0);
        try {
          file.truncateTo(file.sizeInBytes() / 2);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
        return slice;
      });
    }
  }

  @Test
  void aFileDeletedBeforeTheSendClosesTheConnectionMidFrame() throws Exception {
    FileRecords file = segmentFile("deleted.log");
    assertBrokenMidFrame(context -> {
      Records slice = sliceFrom(file, 0);
      try {
        // As retention deletes a segment: FileRecords closes its channel and unlinks the file.
        file.deleteIfExists();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      return slice;
    });
  }

  /** The response frame arrives only in part, then the connection ends; the listener serves the next one. */
  private void assertBrokenMidFrame(Function<RequestContext, Records> records) throws Exception {
    KafkaListener listener = bind(true, records);
    try {
      try (KafkaSocket socket = new KafkaSocket(listener.boundAddress())) {
        socket.send(fetchHeader(), fetchRequest());
        assertThrows(EOFException.class, socket::receiveFrame);
      }
    } finally {
      listener.shutdown(Duration.ofSeconds(1)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    try (FileRecords intact = segmentFile("intact.log")) {
      byte[] frame = fetchFrame(true, context -> sliceFrom(intact, 0));
      FetchResponse response = (FetchResponse) FetchResponse.parseResponse(ByteBuffer.wrap(frame), fetchHeader());
      assertEquals(intact.sizeInBytes(), response.data().responses().get(0).partitions().get(0).records().sizeInBytes());
    }
  }

  private static Records sliceFrom(FileRecords file, int position) {
    return file.slice(position, file.sizeInBytes() - position);
  }

  /** A segment-like file of RECORDS one-record batches with 1 KiB values. */
  private FileRecords segmentFile(String name) throws IOException {
    FileRecords file = FileRecords.open(dir.resolve(name).toFile());
    for (int i = 0; i < RECORDS; i++) {
      byte[] value = new byte[1024];
      value[0] = (byte) i;
      file.append(MemoryRecords.withRecords(i, Compression.NONE, new SimpleRecord(("k" + i).getBytes(), value)));
    }
    file.flush();
    return file;
  }

  private byte[] fetchFrame(boolean zeroCopy, Function<RequestContext, Records> records) throws Exception {
    KafkaListener listener = bind(zeroCopy, records);
    try (KafkaSocket socket = new KafkaSocket(listener.boundAddress())) {
      socket.send(fetchHeader(), fetchRequest());
      return KafkaSocket.bytesOf(socket.receiveFrame());
    } finally {
      listener.shutdown(Duration.ofSeconds(1)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static KafkaListener bind(boolean zeroCopy, Function<RequestContext, Records> records) throws Exception {
    ApiHandler fetches = new ApiHandler() {
      @Override
      public ApiKeys apiKey() {
        return ApiKeys.FETCH;
      }

      @Override
      public CompletableFuture<org.apache.kafka.common.requests.AbstractResponse> handle(
          RequestContext context, org.apache.kafka.common.requests.AbstractRequest request) {
        PartitionData partition = new PartitionData().setPartitionIndex(0).setHighWatermark(RECORDS)
            .setRecords(records.apply(context));
        LinkedHashMap<TopicIdPartition, PartitionData> partitions = new LinkedHashMap<>();
        partitions.put(new TopicIdPartition(Uuid.ZERO_UUID, 0, "t"), partition);
        return CompletableFuture.completedFuture(
            FetchResponse.of(Errors.NONE, 0, FetchMetadata.INVALID_SESSION_ID, partitions, List.of()));
      }
    };
    ListenerSettings settings = new ListenerSettings("127.0.0.1", 0, "127.0.0.1", 1 << 20, Duration.ofSeconds(30), 16)
        .withPlaintextZeroCopy(zeroCopy);
    return KafkaListener.bind(testKit.system(), settings, ApiHandlers.of(List.of(fetches)))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static RequestHeader fetchHeader() {
    return new RequestHeader(ApiKeys.FETCH, FETCH_VERSION, "zero-copy-test", 7);
  }

  private static FetchRequest fetchRequest() {
    FetchRequestData data = new FetchRequestData().setMaxBytes(1 << 20).setTopics(List.of(
        new FetchRequestData.FetchTopic().setTopic("t").setPartitions(List.of(
            new FetchRequestData.FetchPartition().setPartition(0).setPartitionMaxBytes(1 << 20)))));
    return new FetchRequest(data, FETCH_VERSION);
  }
}
