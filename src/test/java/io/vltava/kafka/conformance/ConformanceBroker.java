package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vltava.kafka.KafkaSocket;
import io.vltava.metadata.TopicIds;
import io.vltava.metadata.TopicState;
import io.vltava.node.TestNodes;
import io.vltava.node.VltavaNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.OffsetFetchResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.awaitility.Awaitility;

/**
 * A running node as the conformance cases see it: raw requests at an exact version over one TCP
 * connection, plus a real Admin and producer to set up topics and records. Every request and
 * response goes through kafka-clients' generated (de)serializers at the version asked, so a field
 * a version cannot hold fails on whichever side set it. Not thread-safe.
 */
final class ConformanceBroker implements AutoCloseable {

  private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(30);
  private static final AtomicInteger topicNumbers = new AtomicInteger();

  private static final List<String> expectedClosures = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * What Kafka answers for authorized operations when asked and everything is allowed (no authorizer,
   * or, as on the conformance node, no ACL naming the resource with allow.everyone.if.no.acl.found):
   * every operation that applies to the resource type (AclEntry.supportedOperations), as a bit field.
   */
  static final int ALL_TOPIC_OPERATIONS = operations(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE,
      AclOperation.DESCRIBE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);
  static final int ALL_CLUSTER_OPERATIONS = operations(AclOperation.CREATE, AclOperation.CLUSTER_ACTION,
      AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE, AclOperation.ALTER,
      AclOperation.DESCRIBE);
  /** The authorized operations of a response that was not asked for them. */
  static final int OPERATIONS_NOT_REQUESTED = Integer.MIN_VALUE;

  private final VltavaNode node;
  private final Admin admin;
  private final KafkaProducer<byte[], byte[]> producer;
  private KafkaSocket socket;
  private int correlationId;

  ConformanceBroker(VltavaNode node) throws IOException {
    this.node = node;
    this.admin = Admin.create(TestNodes.adminProps(node.bootstrapServers()));
    Properties producerProps = TestNodes.producerProps(node.bootstrapServers());
    this.producer = new KafkaProducer<>(producerProps);
    this.socket = new KafkaSocket(node.kafkaAddress());
  }

  /** The reasons of the connection closes that cases asked for. */
  static List<String> expectedClosures() {
    return expectedClosures;
  }

  VltavaNode node() {
    return node;
  }

  int nodeId() {
    return node.settings().nodeId();
  }

  Admin admin() {
    return admin;
  }

  /**
   * Sends {@code request} at {@code version} (request header version as a client of that version
   * uses) and parses the response at that version; fails if the node closes the connection.
   */
  @SuppressWarnings("unchecked")
  <T extends AbstractResponse> T send(ApiMessage request, short version) throws IOException {
    ApiKeys key = ApiKeys.forId(request.apiKey());
    RequestHeader header = new RequestHeader(key, version, "conformance", ++correlationId);
    socket.sendFrame(RequestUtils.serialize(header.data(), header.headerVersion(), request, version));
    return (T) socket.receive(header);
  }

  /**
   * Another connection to the node, for requests the group coordinator parks (JoinGroup,
   * SyncGroup) while this one goes on; the caller closes it.
   */
  Connection connect() throws IOException {
    return new Connection(new KafkaSocket(node.kafkaAddress()));
  }

  /** A connection whose requests name {@code clientId} (for quotas set on a client id); the caller closes it. */
  Connection connectAs(String clientId) throws IOException {
    return new Connection(new KafkaSocket(node.kafkaAddress()), clientId);
  }

  /** A connection to the listener named {@code listenerName} (see ConformanceTest's listeners); the caller closes it. */
  Connection connect(String listenerName) throws IOException {
    return new Connection(new KafkaSocket(node.kafkaAddress(listenerName)));
  }

  /** A case is about to make the node close a connection other than this one, for {@code reason}. */
  static void expectClosure(String reason) {
    expectedClosures.add(reason);
  }

  /** A request sent whose response is read later. */
  interface Pending<T extends AbstractResponse> {
    T response() throws IOException;
  }

  /** One more connection: requests at an exact version, responses in request order. */
  static final class Connection implements AutoCloseable {
    private final KafkaSocket socket;
    private final String clientId;
    private int correlationId;

    private Connection(KafkaSocket socket) {
      this(socket, "conformance");
    }

    private Connection(KafkaSocket socket, String clientId) {
      this.socket = socket;
      this.clientId = clientId;
    }

    <T extends AbstractResponse> T send(ApiMessage request, short version) throws IOException {
      return this.<T>start(request, version).response();
    }

    /** Sends {@code request} at {@code version} now; its response is read when asked for. */
    @SuppressWarnings("unchecked")
    <T extends AbstractResponse> Pending<T> start(ApiMessage request, short version) throws IOException {
      RequestHeader header = new RequestHeader(ApiKeys.forId(request.apiKey()), version, clientId, ++correlationId);
      socket.sendFrame(RequestUtils.serialize(header.data(), header.headerVersion(), request, version));
      return () -> (T) socket.receive(header);
    }

    /** Writes a size-prefixed frame as it is, for requests a case builds itself. */
    void sendRaw(ByteBuffer frame) throws IOException {
      socket.sendFrame(frame);
    }

    /** The next frame the node sends, without its size field. */
    ByteBuffer receiveFrame() throws IOException {
      return socket.receiveFrame();
    }

    /** True when the node has closed this connection with nothing more to read. */
    boolean closedByPeer() throws IOException {
      return socket.closedByPeer();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /**
   * Sends a request the node must refuse by closing the connection, as Kafka does, and checks it
   * did; {@code reason} is part of the message the listener logs for it.
   */
  void sendExpectingClose(ApiMessage request, short version, String reason) throws IOException {
    ApiKeys key = ApiKeys.forId(request.apiKey());
    RequestHeader header = new RequestHeader(key, version, "conformance", ++correlationId);
    sendExpectingClose(key, version, RequestUtils.serialize(header.data(), header.headerVersion(), request, version), reason);
  }

  /**
   * As {@link #sendExpectingClose(ApiMessage, short, String)} for a version kafka-clients can no
   * longer write (Produce v0-2): the request is written at {@code writtenAs}, whose body must
   * begin with {@code leadingBytesToDrop} bytes the old version lacks, and sent with the old
   * version in its header.
   */
  void sendExpectingClose(ApiMessage request, short version, short writtenAs, int leadingBytesToDrop, String reason)
      throws IOException {
    ApiKeys key = ApiKeys.forId(request.apiKey());
    RequestHeader header = new RequestHeader(key, version, "conformance", ++correlationId);
    ByteBuffer newer = RequestUtils.serialize(header.data(), header.headerVersion(), request, writtenAs);
    int headerBytes = newer.remaining() - request.size(new ObjectSerializationCache(), writtenAs);
    ByteBuffer older = ByteBuffer.allocate(newer.remaining() - leadingBytesToDrop);
    older.put(newer.duplicate().limit(headerBytes)).put(newer.duplicate().position(headerBytes + leadingBytesToDrop)).flip();
    sendExpectingClose(key, version, older, reason);
  }

  private void sendExpectingClose(ApiKeys key, short version, ByteBuffer frame, String reason) throws IOException {
    expectedClosures.add(reason);
    socket.sendFrame(frame);
    if (!socket.closedByPeer()) {
      throw new AssertionError(key + " v" + version + " was answered; expected the connection to close");
    }
    socket.close();
    socket = new KafkaSocket(node.kafkaAddress());
  }

  /** Sends a request that gets no response (a produce with acks=0). */
  void sendWithoutResponse(ApiMessage request, short version) throws IOException {
    ApiKeys key = ApiKeys.forId(request.apiKey());
    RequestHeader header = new RequestHeader(key, version, "conformance", ++correlationId);
    socket.sendFrame(RequestUtils.serialize(header.data(), header.headerVersion(), request, version));
  }

  /** Checks the connection still answers: valid requests never close it. */
  void assertConnectionOpen() throws IOException {
    ApiVersionsResponse response = send(new ApiVersionsRequestData()
        .setClientSoftwareName("conformance").setClientSoftwareVersion("1.0"), (short) 3);
    assertEquals(Errors.NONE.code(), response.data().errorCode());
  }

  /** A new topic with a unique name and a leader for every partition, as the node's cache sees it. */
  String createTopic(String prefix, int partitions) throws Exception {
    return createTopic(prefix, partitions, Map.of());
  }

  String createTopic(String prefix, int partitions, Map<String, String> configs) throws Exception {
    String name = uniqueTopicName(prefix);
    admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
        .all().get(SETUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    // CreateTopics answers once the metadata has the topic (as Kafka's); a raw request gets no retry, so wait until each leader has its log open.
    Awaitility.await().atMost(SETUP_TIMEOUT).until(() -> java.util.stream.IntStream.range(0, partitions)
        .allMatch(p -> node.localReplica(new org.apache.kafka.common.TopicPartition(name, p))
            .map(replica -> replica.isLeader() && replica.log() != null).orElse(false)));
    return name;
  }

  /** The current leader epoch of a partition, as the node's metadata cache sees it. */
  int leaderEpoch(String topic, int partition) {
    return node.metadata().current().topic(topic).orElseThrow(() -> new AssertionError("no topic " + topic))
        .partitions().get(partition).leaderEpoch();
  }

  /**
   * One v2 batch of {@code count} records, not idempotent, keys {@code key-i}, values
   * {@code <valuePrefix>-i}, timestamps {@code firstTimestampMs + i}, for raw produce requests.
   */
  static MemoryRecords batch(String valuePrefix, int count, long firstTimestampMs) {
    return batch(Compression.NONE, valuePrefix, count, firstTimestampMs);
  }

  static MemoryRecords batch(Compression compression, String valuePrefix, int count, long firstTimestampMs) {
    return MemoryRecords.withRecords(compression, records(valuePrefix, count, firstTimestampMs));
  }

  /** As {@link #batch}, from an idempotent producer starting at {@code baseSequence}. */
  static MemoryRecords idempotentBatch(long producerId, short producerEpoch, int baseSequence,
      String valuePrefix, int count, long firstTimestampMs) {
    return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, producerEpoch, baseSequence,
        records(valuePrefix, count, firstTimestampMs));
  }

  private static SimpleRecord[] records(String valuePrefix, int count, long firstTimestampMs) {
    SimpleRecord[] records = new SimpleRecord[count];
    for (int i = 0; i < count; i++) {
      records[i] = new SimpleRecord(firstTimestampMs + i, ("key-" + i).getBytes(StandardCharsets.UTF_8),
          (valuePrefix + "-" + i).getBytes(StandardCharsets.UTF_8));
    }
    return records;
  }

  /**
   * {@code sent} as the log must store it: the same bytes with the base offset and partition
   * leader epoch the leader assigns (neither is covered by the CRC).
   */
  static byte[] asStored(MemoryRecords sent, long baseOffset, int partitionLeaderEpoch) {
    ByteBuffer copy = ByteBuffer.allocate(sent.sizeInBytes());
    copy.put(sent.buffer().duplicate()).flip();
    MemoryRecords stored = MemoryRecords.readableRecords(copy);
    for (MutableRecordBatch batch : stored.batches()) {
      batch.setLastOffset(baseOffset + batch.lastOffset() - batch.baseOffset());
      batch.setPartitionLeaderEpoch(partitionLeaderEpoch);
    }
    return copy.array();
  }

  /** The bytes of records as a response carried them. */
  static byte[] bytesOf(BaseRecords records) {
    ByteBuffer buffer = ((MemoryRecords) records).buffer().duplicate();
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  /**
   * Appends {@code records} to one partition with a Produce v12 (acks=-1), asserted to succeed;
   * returns the base offset.
   */
  long produce(String topic, int partition, MemoryRecords records) throws IOException {
    ProduceRequestData request = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000);
    request.topicData().add(new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(List.of(
        new ProduceRequestData.PartitionProduceData().setIndex(partition).setRecords(records))));
    ProduceResponse response = send(request, (short) 12);
    ProduceResponseData.PartitionProduceResponse answer =
        response.data().responses().iterator().next().partitionResponses().get(0);
    assertEquals(Errors.NONE.code(), answer.errorCode(), "producing to " + topic + "-" + partition);
    return answer.baseOffset();
  }

  /** The error of a Produce v12 (acks=-1) of {@code records} to one partition. */
  Errors produceError(String topic, int partition, MemoryRecords records) throws IOException {
    ProduceRequestData request = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000);
    request.topicData().add(new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(List.of(
        new ProduceRequestData.PartitionProduceData().setIndex(partition).setRecords(records))));
    ProduceResponse response = send(request, (short) 12);
    return Errors.forCode(response.data().responses().iterator().next().partitionResponses().get(0).errorCode());
  }

  /** Creates ACLs through the node's Admin (latest versions), asserting each was stored. */
  void createAcls(List<org.apache.kafka.common.acl.AclBinding> acls) throws Exception {
    admin.createAcls(acls).all().get(SETUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Deletes the ACLs matching {@code filter} through the node's Admin; returns how many there were. */
  int deleteAcls(org.apache.kafka.common.acl.AclBindingFilter filter) throws Exception {
    return admin.deleteAcls(List.of(filter)).all().get(SETUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS).size();
  }

  /** Starts sending one record through the node's real producer (thread-safe, unlike this class). */
  java.util.concurrent.Future<RecordMetadata> startSending(String topic, int partition, String value) {
    return producer.send(new ProducerRecord<>(topic, partition, null, value.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * What a consumer reads from {@code offset} of one partition without waiting: a sessionless
   * Fetch v12 (by name), asserted to succeed.
   */
  FetchResponseData.PartitionData read(String topic, int partition, long offset) throws IOException {
    FetchRequestData request = new FetchRequestData().setMaxWaitMs(0).setMinBytes(0).setMaxBytes(1 << 20)
        .setSessionId(0).setSessionEpoch(FetchMetadata.FINAL_EPOCH)
        .setTopics(List.of(new FetchRequestData.FetchTopic().setTopic(topic).setPartitions(List.of(
            new FetchRequestData.FetchPartition().setPartition(partition).setFetchOffset(offset)
                .setPartitionMaxBytes(1 << 20)))));
    FetchResponse response = send(request, (short) 12);
    FetchResponseData.PartitionData data = response.data().responses().get(0).partitions().get(0);
    assertEquals(Errors.NONE.code(), data.errorCode(), "reading " + topic + "-" + partition);
    return data;
  }

  /** A fresh idempotent producer id (epoch 0), as a producer gets at start-up. */
  long newProducerId() throws IOException {
    InitProducerIdResponse response = send(new InitProducerIdRequestData().setTransactionalId(null)
        .setTransactionTimeoutMs(60_000), (short) 4);
    assertEquals(Errors.NONE.code(), response.data().errorCode());
    return response.data().producerId();
  }

  /** The node's journal topic, once the node has created it in the background. */
  String journalTopic() {
    String journal = node.system().settings().config().getString("vltava.journal.topic");
    Awaitility.await().atMost(SETUP_TIMEOUT).until(() -> node.metadata().current().topic(journal).isPresent());
    return journal;
  }

  /** A topic name no other case uses, for a topic the case creates itself. */
  String uniqueTopicName(String prefix) {
    return prefix + "-" + topicNumbers.incrementAndGet();
  }

  /** The topic as the node's metadata cache sees it, if it exists. */
  Optional<TopicState> topic(String name) {
    return node.metadata().current().topic(name);
  }

  /**
   * A topic's config overrides as DescribeConfigs (latest version) reports them: the entries whose
   * source is the topic itself.
   */
  Map<String, String> describedOverrides(String topic) throws IOException {
    DescribeConfigsResponse response = send(new DescribeConfigsRequestData().setResources(List.of(
        new DescribeConfigsResource().setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName(topic))),
        ApiKeys.DESCRIBE_CONFIGS.latestVersion());
    DescribeConfigsResult result = response.data().results().get(0);
    assertEquals(Errors.NONE.code(), result.errorCode(), result.errorMessage());
    Map<String, String> overrides = new HashMap<>();
    result.configs().stream().filter(c -> c.configSource() == ConfigSource.TOPIC_CONFIG.id())
        .forEach(c -> overrides.put(c.name(), c.value()));
    return overrides;
  }

  Uuid topicId(String topic) {
    return node.metadata().current().topic(topic).map(t -> TopicIds.toKafka(t.topicId()))
        .orElseThrow(() -> new AssertionError("no topic " + topic));
  }

  /**
   * Appends {@code count} records to one partition with keys {@code key-i}, values
   * {@code value-i} and timestamps {@code firstTimestampMs + i}; returns their offsets.
   */
  List<Long> produce(String topic, int partition, int count, long firstTimestampMs) throws Exception {
    List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      sent.add(producer.send(new ProducerRecord<>(topic, partition, firstTimestampMs + i,
          ("key-" + i).getBytes(StandardCharsets.UTF_8), ("value-" + i).getBytes(StandardCharsets.UTF_8))));
    }
    List<Long> offsets = new ArrayList<>();
    for (var future : sent) {
      offsets.add(future.get(SETUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS).offset());
    }
    return offsets;
  }

  private static int operations(AclOperation... operations) {
    int bits = 0;
    for (AclOperation operation : operations) {
      bits |= 1 << operation.code();
    }
    return bits;
  }

  /** Commits {@code offset} for one partition as admin tools do (no member, no generation); fails unless stored. */
  void commitOffset(String group, String topic, int partition, long offset) throws IOException {
    OffsetCommitResponse response = send(new OffsetCommitRequestData().setGroupId(group).setTopics(List.of(
        new OffsetCommitRequestTopic().setName(topic).setPartitions(List.of(
            new OffsetCommitRequestPartition().setPartitionIndex(partition).setCommittedOffset(offset))))), (short) 9);
    assertEquals(Errors.NONE.code(), response.data().topics().get(0).partitions().get(0).errorCode());
  }

  /** The offset {@code group} committed for one partition, -1 if none. */
  long committedOffset(String group, String topic, int partition) throws IOException {
    OffsetFetchResponse response = send(new OffsetFetchRequestData().setGroups(List.of(
        new OffsetFetchRequestGroup().setGroupId(group).setTopics(List.of(
            new OffsetFetchRequestTopics().setName(topic).setPartitionIndexes(List.of(partition)))))), (short) 9);
    assertEquals(Errors.NONE.code(), response.data().groups().get(0).errorCode());
    return response.data().groups().get(0).topics().get(0).partitions().get(0).committedOffset();
  }

  @Override
  public void close() throws IOException {
    producer.close(Duration.ofSeconds(5));
    admin.close(Duration.ofSeconds(5));
    socket.close();
  }
}
