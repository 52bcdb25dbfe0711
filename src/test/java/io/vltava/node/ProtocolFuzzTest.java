package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import io.vltava.kafka.KafkaSocket;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutated requests over real TCP: truncated frames, flipped bits, huge declared frame sizes, and
 * huge array/string/bytes lengths inside otherwise valid requests (the shapes of CVE-2022-34917 and
 * of the generated readers' allocation bugs). Seeded: {@code -Dvltava.fuzz.seed=N} replays a run.
 */
@Tag("slow")
class ProtocolFuzzTest {

  private static final long SEED = Long.getLong("vltava.fuzz.seed", 0x5EED_F022L);
  private static final int RANDOM_MUTATIONS = 1500;
  /** Every this many bad connections, a good one must still be answered. */
  private static final int PROBE_EVERY = 100;
  /** No bad connection may make the node allocate more than this (a 2 GB length must not). */
  private static final long ALLOCATION_BOUND_BYTES = 64L << 20;

  private static final String TOPIC = "fuzz";
  private static final Duration ANSWER_OR_CLOSE_WITHIN = Duration.ofSeconds(10);

  @TempDir Path dataDir;

  private record Case(ApiKeys key, short version, ApiMessage data) {
    byte[] body(int correlationId) {
      RequestHeader header = new RequestHeader(key, version, "fuzz", correlationId);
      ByteBuffer bytes = RequestUtils.serialize(header.data(), header.headerVersion(), data, version);
      byte[] body = new byte[bytes.remaining()];
      bytes.get(body);
      return body;
    }

    boolean flexible() {
      return key.requestHeaderVersion(version) >= 2;
    }

    @Override
    public String toString() {
      return key + " v" + version;
    }
  }

  /** What one bad connection did to the node. */
  private record Outcome(int responses, long allocatedBytes) {}

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void mutatedRequestsNeverTakeTheNodeDownOrAllocateUnbounded() throws Exception {
    try (VltavaNode node = TestNodes.start(dataDir)) {
      try (Admin admin = Admin.create(TestNodes.adminProps(node.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
      }
      List<Case> cases = cases();
      Fuzzer fuzzer = new Fuzzer(node);
      Random random = new Random(SEED);
      try (KafkaSocket probe = new KafkaSocket(node.kafkaAddress())) {
        fuzzer.probe = probe;
        // Every position of every request gets a huge length once: hits each length field.
        for (Case c : cases) {
          byte[] body = c.body(1);
          for (int at = 0; at + Integer.BYTES <= body.length; at++) {
            fuzzer.send(c, "int32 2^31-1 at " + at, frame(overwrite(body, at, int32(Integer.MAX_VALUE))));
            if (c.flexible()) {
              fuzzer.send(c, "varint 2^32-1 at " + at, frame(overwrite(body, at, UNSIGNED_VARINT_MAX)));
            }
          }
        }
        for (int i = 0; i < RANDOM_MUTATIONS; i++) {
          Case c = cases.get(random.nextInt(cases.size()));
          byte[] body = c.body(random.nextInt());
          Mutation mutation = Mutation.values()[random.nextInt(Mutation.values().length)];
          fuzzer.send(c, mutation + " #" + i, mutation.apply(body, random));
        }
      }
      assertTrue(
          fuzzer.answered > 0 && fuzzer.answered < fuzzer.sent,
          "some bad requests are answered (with errors), others close the connection: "
              + fuzzer.answered + " of " + fuzzer.sent);
      assertTrue(
          fuzzer.maxAllocated < ALLOCATION_BOUND_BYTES,
          "seed " + SEED + ": worst connection made the node allocate " + fuzzer.maxAllocated
              + " bytes (" + fuzzer.worst + ")");
      produceAndConsume(node);
    }
  }

  private enum Mutation {
    FLIP_BITS {
      @Override
      byte[] apply(byte[] body, Random random) {
        byte[] flipped = body.clone();
        for (int bits = 1 + random.nextInt(8); bits > 0; bits--) {
          flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return frame(flipped);
      }
    },
    /** A complete frame whose body ends early. */
    TRUNCATED_BODY {
      @Override
      byte[] apply(byte[] body, Random random) {
        return frame(Arrays.copyOf(body, random.nextInt(body.length)));
      }
    },
    /** A frame that declares its full size but whose sender stops part-way. */
    TRUNCATED_FRAME {
      @Override
      byte[] apply(byte[] body, Random random) {
        byte[] whole = frame(body);
        return Arrays.copyOf(whole, random.nextInt(whole.length));
      }
    },
    HUGE_FRAME_SIZE {
      @Override
      byte[] apply(byte[] body, Random random) {
        int[] sizes = {Integer.MAX_VALUE, Integer.MIN_VALUE, -1, 2_000_000_000, 104_857_600 + 1, 104_857_600};
        return concat(int32(sizes[random.nextInt(sizes.length)]), body);
      }
    },
    HUGE_LENGTH_INSIDE {
      @Override
      byte[] apply(byte[] body, Random random) {
        byte[][] lengths = {
          int32(Integer.MAX_VALUE), int32(0x7FFF_FFF0), int32(1 << 30), int32(-2),
          UNSIGNED_VARINT_MAX, {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07},
          {0x7F, (byte) 0xFF}
        };
        byte[] length = lengths[random.nextInt(lengths.length)];
        return frame(overwrite(body, random.nextInt(body.length - length.length + 1), length));
      }
    };

    abstract byte[] apply(byte[] body, Random random);
  }

  /** Sends bad frames, each on its own connection, and checks what became of each. */
  private static final class Fuzzer {
    private final VltavaNode node;
    private final ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    KafkaSocket probe;
    int sent;
    int answered;
    long maxAllocated;
    String worst = "";

    Fuzzer(VltavaNode node) {
      this.node = node;
      threads.setThreadAllocatedMemoryEnabled(true);
    }

    void send(Case c, String mutation, byte[] bytes) throws IOException {
      String what = "seed " + SEED + ", " + c + ", " + mutation;
      Outcome outcome = exchange(bytes, what);
      sent++;
      if (outcome.responses() > 0) {
        answered++;
      }
      if (outcome.allocatedBytes() > maxAllocated) {
        maxAllocated = outcome.allocatedBytes();
        worst = what;
      }
      if (sent % PROBE_EVERY == 0) {
        probeStillServes(what);
      }
    }

    /**
     * Writes the bytes, half-closes, and reads response frames until the node closes: a node that
     * neither answers nor closes fails the read with a timeout.
     */
    private Outcome exchange(byte[] bytes, String what) throws IOException {
      long allocatedBefore = allocatedByAllThreads();
      int responses = 0;
      try (Socket socket = new Socket(node.kafkaAddress().getAddress(), node.kafkaAddress().getPort())) {
        socket.setSoTimeout((int) ANSWER_OR_CLOSE_WITHIN.toMillis());
        try {
          new DataOutputStream(socket.getOutputStream()).write(bytes);
          socket.shutdownOutput();
        } catch (SocketException closedWhileWriting) {
          // The node may close on the first bad bytes before the rest are written.
        }
        DataInputStream in = new DataInputStream(socket.getInputStream());
        while (true) {
          int size;
          try {
            size = in.readInt();
          } catch (EOFException | SocketException closed) {
            break;
          }
          assertTrue(size >= 0 && size < 1 << 20, what + ": response size " + size);
          in.readFully(new byte[size]);
          responses++;
        }
      }
      return new Outcome(responses, allocatedByAllThreads() - allocatedBefore);
    }

    private long allocatedByAllThreads() {
      return Arrays.stream(threads.getThreadAllocatedBytes(threads.getAllThreadIds()))
          .filter(bytes -> bytes > 0)
          .sum();
    }

    private void probeStillServes(String after) throws IOException {
      MetadataResponse response =
          probe.roundTrip(new MetadataRequest.Builder(List.of(TOPIC), false), (short) 12, sent);
      assertEquals(
          Errors.NONE,
          response.topicMetadata().iterator().next().error(),
          "a good connection is still served after " + after);
    }
  }

  private static void produceAndConsume(VltavaNode node) throws Exception {
    byte[] value = "after the fuzzing".getBytes(StandardCharsets.UTF_8);
    long offset;
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(TestNodes.producerProps(node.bootstrapServers()))) {
      offset = producer.send(new ProducerRecord<>(TOPIC, 0, null, value)).get().offset();
    }
    TopicPartition partition = new TopicPartition(TOPIC, 0);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(TestNodes.consumerProps(node.bootstrapServers()))) {
      consumer.assign(List.of(partition));
      consumer.seek(partition, offset);
      List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (read.isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(read::add);
      }
      assertEquals(1, read.size(), "the record produced after fuzzing is read back");
      assertEquals(offset, read.get(0).offset());
      assertTrue(Arrays.equals(value, read.get(0).value()));
    }
  }

  /** Valid requests for several keys, at an old and a flexible version each. */
  private static List<Case> cases() {
    MemoryRecords records =
        MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("k".getBytes(), "fuzzed value".getBytes()));
    List<Case> cases = new ArrayList<>();
    for (short version : new short[] {0, 3}) {
      cases.add(new Case(ApiKeys.API_VERSIONS, version,
          new ApiVersionsRequestData().setClientSoftwareName("fuzz").setClientSoftwareVersion("1.0")));
    }
    for (short version : new short[] {1, 12}) {
      cases.add(new Case(ApiKeys.METADATA, version,
          new MetadataRequestData().setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(TOPIC)))));
    }
    for (short version : new short[] {3, 9}) {
      ProduceRequestData produce = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5_000);
      produce.topicData().add(new ProduceRequestData.TopicProduceData().setName(TOPIC).setPartitionData(List.of(
          new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records))));
      cases.add(new Case(ApiKeys.PRODUCE, version, produce));
    }
    for (short version : new short[] {4, 12}) {
      cases.add(new Case(ApiKeys.FETCH, version, new FetchRequestData()
          .setReplicaId(-1).setMaxWaitMs(0).setMinBytes(0).setMaxBytes(1 << 20)
          .setTopics(List.of(new FetchRequestData.FetchTopic().setTopic(TOPIC).setPartitions(List.of(
              new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1 << 16)))))));
    }
    for (short version : new short[] {1, 7}) {
      cases.add(new Case(ApiKeys.LIST_OFFSETS, version, new ListOffsetsRequestData().setReplicaId(-1)
          .setTopics(List.of(new ListOffsetsRequestData.ListOffsetsTopic().setName(TOPIC).setPartitions(List.of(
              new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1)))))));
    }
    cases.add(new Case(ApiKeys.FIND_COORDINATOR, (short) 1, new FindCoordinatorRequestData().setKey("fuzz-group")));
    cases.add(new Case(ApiKeys.FIND_COORDINATOR, (short) 4,
        new FindCoordinatorRequestData().setCoordinatorKeys(List.of("fuzz-group"))));
    for (short version : new short[] {5, 9}) {
      JoinGroupRequestData join = new JoinGroupRequestData().setGroupId("fuzz-group").setSessionTimeoutMs(10_000)
          .setRebalanceTimeoutMs(10_000).setMemberId("").setProtocolType("consumer");
      join.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(new byte[16]));
      cases.add(new Case(ApiKeys.JOIN_GROUP, version, join));
    }
    for (short version : new short[] {2, 8}) {
      cases.add(new Case(ApiKeys.OFFSET_COMMIT, version, new OffsetCommitRequestData().setGroupId("fuzz-group")
          .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(TOPIC).setPartitions(List.of(
              new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(0)
                  .setCommittedMetadata("m")))))));
    }
    return cases;
  }

  /** Compact lengths are N+1 as an unsigned varint: this one claims 2^32-2 elements. */
  private static final byte[] UNSIGNED_VARINT_MAX = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F};

  private static byte[] frame(byte[] body) {
    return concat(int32(body.length), body);
  }

  private static byte[] int32(int value) {
    return ByteBuffer.allocate(Integer.BYTES).putInt(value).array();
  }

  private static byte[] overwrite(byte[] body, int at, byte[] with) {
    byte[] copy = body.clone();
    System.arraycopy(with, 0, copy, at, Math.min(with.length, copy.length - at));
    return copy;
  }

  private static byte[] concat(byte[] first, byte[] second) {
    byte[] joined = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, joined, first.length, second.length);
    return joined;
  }
}
