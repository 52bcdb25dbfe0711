package io.vltava.kafka;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.requests.ResponseHeader;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.BindFailedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class KafkaListenerTest {

  private final ActorTestKit testKit = ActorTestKit.create();

  private static final int MAX_REQUEST_BYTES = 1024;
  private static final ListenerSettings SETTINGS =
      new ListenerSettings(
          "127.0.0.1", 0, "127.0.0.1", MAX_REQUEST_BYTES, Duration.ofSeconds(30), 16);

  private static final short HEARTBEAT_VERSION = 4;

  private KafkaListener listener;

  @AfterAll
  void stopTestKit() {
    testKit.shutdownTestKit();
  }

  @AfterEach
  void stopListener() throws Exception {
    if (listener != null) {
      listener.shutdown(Duration.ofSeconds(1)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** Whether the listener runs on the zero-copy NIO transport; {@link ZeroCopyKafkaListenerTest} says yes. */
  protected boolean zeroCopy() {
    return false;
  }

  private KafkaSocket start(ListenerSettings settings, ApiHandler... handlers) throws Exception {
    listener =
        KafkaListener.bind(testKit.system(), settings.withPlaintextZeroCopy(zeroCopy()), ApiHandlers.of(List.of(handlers)))
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    return connect();
  }

  private KafkaSocket start(ApiHandler... handlers) throws Exception {
    return start(SETTINGS, handlers);
  }

  private KafkaSocket connect() throws IOException {
    return new KafkaSocket(listener.boundAddress());
  }

  /** Heartbeat from v1: v0 is left out so that a v0 request is one outside the handler's range. */
  private static ApiHandler heartbeats(
      BiFunction<RequestHeader, AbstractRequest, CompletionStage<AbstractResponse>> script) {
    return new ScriptedHandler(ApiKeys.HEARTBEAT, (short) 1, HEARTBEAT_VERSION, script);
  }

  private static ApiHandler answeringNone() {
    return heartbeats((header, request) -> answer(Errors.NONE));
  }

  private static CompletionStage<AbstractResponse> answer(Errors error) {
    return CompletableFuture.completedFuture(
        new HeartbeatResponse(new HeartbeatResponseData().setErrorCode(error.code())));
  }

  private static RequestHeader header(ApiKeys key, short version, int correlationId) {
    return new RequestHeader(key, version, "test-client", correlationId);
  }

  private static RequestHeader heartbeatHeader(int correlationId) {
    return header(ApiKeys.HEARTBEAT, HEARTBEAT_VERSION, correlationId);
  }

  private static HeartbeatRequest heartbeat(String groupId) {
    return new HeartbeatRequest.Builder(
            new HeartbeatRequestData().setGroupId(groupId).setMemberId("m").setGenerationId(1))
        .build(HEARTBEAT_VERSION);
  }

  private static String groupOf(AbstractRequest request) {
    return ((HeartbeatRequest) request).data().groupId();
  }

  private static Errors heartbeatRoundTrip(KafkaSocket socket, int correlationId, String groupId)
      throws IOException {
    RequestHeader header = heartbeatHeader(correlationId);
    socket.send(header, heartbeat(groupId));
    HeartbeatResponse response = socket.receive(header);
    return response.error();
  }

  private static ApiVersionsResponse apiVersions(KafkaSocket socket, short version)
      throws IOException {
    RequestHeader header = header(ApiKeys.API_VERSIONS, version, 7);
    socket.send(header, new ApiVersionsRequest.Builder().build(version));
    return socket.receive(header);
  }

  private static Map<Short, String> ranges(ApiVersionsResponse response) {
    return response.data().apiKeys().stream()
        .collect(
            Collectors.toMap(
                ApiVersion::apiKey, v -> v.minVersion() + ".." + v.maxVersion()));
  }

  /** The handler's range, plus the built-in ApiVersions and the SASL APIs every listener advertises (as Kafka). */
  private static final Map<Short, String> ADVERTISED =
      Map.of(ApiKeys.API_VERSIONS.id, "0..4", ApiKeys.HEARTBEAT.id, "1..4",
          ApiKeys.SASL_HANDSHAKE.id, "0..1", ApiKeys.SASL_AUTHENTICATE.id, "0..2");

  @Test
  void apiVersionsAdvertisesEachHandlersRangeAtEveryVersion() throws Exception {
    try (KafkaSocket socket = start(answeringNone())) {
      for (short version = 0; version <= 4; version++) {
        ApiVersionsResponse response = apiVersions(socket, version);
        assertEquals(Errors.NONE.code(), response.data().errorCode());
        assertEquals(ADVERTISED, ranges(response));
      }
    }
  }

  @Test
  void apiVersionsResponsesUseResponseHeaderV0() throws Exception {
    try (KafkaSocket socket = start(answeringNone())) {
      short flexibleVersion = 4;
      socket.send(
          header(ApiKeys.API_VERSIONS, flexibleVersion, 42),
          new ApiVersionsRequest.Builder().build(flexibleVersion));
      ByteBuffer frame = socket.receiveFrame();
      // A v1 header would carry a tagged-fields byte after the correlation id.
      assertEquals(42, ResponseHeader.parse(frame, (short) 0).correlationId());
      ApiVersionsResponse response =
          ApiVersionsResponse.parse(new ByteBufferAccessor(frame), flexibleVersion);
      assertEquals(ADVERTISED, ranges(response));
      assertFalse(frame.hasRemaining());
    }
  }

  @Test
  void apiVersionsAtAnUnknownVersionGetsUnsupportedVersionAtV0WithTheVersionList()
      throws Exception {
    try (KafkaSocket socket = start(answeringNone())) {
      short tooNew = 5;
      RequestHeader header = header(ApiKeys.API_VERSIONS, tooNew, 3);
      // What a newer client sends: its own header, a body we cannot read.
      socket.sendFrame(
          RequestUtils.serialize(
              header.data(), header.headerVersion(), new ApiVersionsRequestData(), (short) 4));
      ByteBuffer frame = socket.receiveFrame();
      assertEquals(3, ResponseHeader.parse(frame, (short) 0).correlationId());
      ApiVersionsResponse response =
          ApiVersionsResponse.parse(new ByteBufferAccessor(frame), (short) 0);
      assertEquals(Errors.UNSUPPORTED_VERSION.code(), response.data().errorCode());
      assertEquals(ADVERTISED, ranges(response));

      // The client retries on the same connection with a version we gave it.
      assertEquals(Errors.NONE.code(), apiVersions(socket, (short) 4).data().errorCode());
    }
  }

  @Test
  void pipelinedResponsesGoBackInRequestOrderWhateverOrderHandlersFinish() throws Exception {
    int requests = 10;
    List<CompletableFuture<AbstractResponse>> pending = new ArrayList<>();
    ApiHandler finishingInReverse =
        heartbeats(
            (header, request) -> {
              CompletableFuture<AbstractResponse> response = new CompletableFuture<>();
              synchronized (pending) {
                pending.add(response);
                if (pending.size() == requests) {
                  for (int i = requests - 1; i >= 0; i--) {
                    pending.get(i).complete(answer(Errors.NONE).toCompletableFuture().join());
                  }
                }
              }
              return response;
            });
    try (KafkaSocket socket = start(finishingInReverse)) {
      for (int id = 0; id < requests; id++) {
        socket.send(heartbeatHeader(id), heartbeat("g"));
      }
      List<Integer> answered = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        answered.add(ResponseHeader.parse(socket.receiveFrame(), (short) 1).correlationId());
      }
      assertEquals(IntStream.range(0, requests).boxed().toList(), answered);
    }
  }

  @Test
  void atMaxInFlightTheListenerReadsNoFurtherRequestUntilAResponseGoesOut() throws Exception {
    List<CompletableFuture<AbstractResponse>> held = new CopyOnWriteArrayList<>();
    ApiHandler holding = heartbeats((header, request) -> {
      CompletableFuture<AbstractResponse> response = new CompletableFuture<>();
      held.add(response);
      return response;
    });
    ListenerSettings twoInFlight = new ListenerSettings("127.0.0.1", 0, "127.0.0.1", MAX_REQUEST_BYTES, Duration.ofSeconds(30), 2);
    int requests = 5;
    try (KafkaSocket socket = start(twoInFlight, holding)) {
      for (int i = 0; i < requests; i++) {
        socket.send(heartbeatHeader(i), heartbeat("g"));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 2);
      // The other three are sent but stay unread while two are in flight.
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> held.size() == 2);
      for (int i = 0; i < requests; i++) {
        int answered = i;
        // Each response out lets one more request in: two in flight until the last ones.
        await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == Math.min(requests, answered + 2));
        held.get(i).complete(answer(Errors.NONE).toCompletableFuture().join());
        HeartbeatResponse response = socket.receive(heartbeatHeader(i));
        assertEquals(Errors.NONE, response.error());
      }
    }
  }

  @Test
  void aRequestAnsweredWithNullGetsNoResponse() throws Exception {
    ApiHandler silentForGroupSilent =
        heartbeats(
            (header, request) ->
                groupOf(request).equals("silent")
                    ? CompletableFuture.completedFuture(null)
                    : answer(Errors.NONE));
    try (KafkaSocket socket = start(silentForGroupSilent)) {
      socket.send(heartbeatHeader(1), heartbeat("silent"));
      // receive checks the correlation id: a response to request 1 would fail here.
      assertEquals(Errors.NONE, heartbeatRoundTrip(socket, 2, "g"));
      assertEquals(Errors.NONE, heartbeatRoundTrip(socket, 3, "g"));
    }
  }

  @Test
  void aFailingHandlerGetsTheRequestsErrorResponseAndTheConnectionStaysUp() throws Exception {
    ApiHandler failing =
        heartbeats(
            (header, request) -> {
              switch (groupOf(request)) {
                case "throws":
                  throw new CoordinatorNotAvailableException("thrown");
                case "fails":
                  return CompletableFuture.failedFuture(new NotCoordinatorException("failed"));
                default:
                  return answer(Errors.NONE);
              }
            });
    try (KafkaSocket socket = start(failing)) {
      assertEquals(Errors.COORDINATOR_NOT_AVAILABLE, heartbeatRoundTrip(socket, 1, "throws"));
      assertEquals(Errors.NOT_COORDINATOR, heartbeatRoundTrip(socket, 2, "fails"));
      assertEquals(Errors.NONE, heartbeatRoundTrip(socket, 3, "g"));
    }
  }

  @Test
  void aResponseFieldTheVersionCannotHoldIsAnsweredAsAServerErrorNotAClosedConnection() throws Exception {
    ApiHandler epochAtEveryVersion =
        new ScriptedHandler(
            ApiKeys.LIST_OFFSETS,
            (short) 1,
            (short) 11,
            (header, request) -> {
              ListOffsetsResponseData data = new ListOffsetsResponseData();
              ((ListOffsetsRequest) request).data().topics().forEach(topic -> data.topics().add(
                  new ListOffsetsTopicResponse().setName(topic.name()).setPartitions(List.of(
                      new ListOffsetsPartitionResponse().setPartitionIndex(0).setOffset(42).setLeaderEpoch(7)))));
              return CompletableFuture.completedFuture(new ListOffsetsResponse(data));
            });
    try (KafkaSocket socket = start(epochAtEveryVersion)) {
      assertEquals(List.of(Errors.UNKNOWN_SERVER_ERROR.code(), (short) -1),
          listOffsets(socket, (short) 2, 1));
      assertEquals(List.of(Errors.NONE.code(), (short) 7), listOffsets(socket, (short) 4, 2));
    }
  }

  /** The error code and leader epoch of partition 0 in a ListOffsets answer at {@code version}. */
  private static List<Short> listOffsets(KafkaSocket socket, short version, int correlationId) throws IOException {
    RequestHeader header = header(ApiKeys.LIST_OFFSETS, version, correlationId);
    socket.send(header, ListOffsetsRequest.Builder.forConsumer(false, IsolationLevel.READ_UNCOMMITTED)
        .setTargetTimes(List.of(new ListOffsetsTopic().setName("t").setPartitions(List.of(
            new ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1)))))
        .build(version));
    ListOffsetsResponse response = socket.receive(header);
    ListOffsetsPartitionResponse partition = response.data().topics().get(0).partitions().get(0);
    return List.of(partition.errorCode(), (short) partition.leaderEpoch());
  }

  @Test
  void aFailedProduceWithAcksZeroClosesTheConnectionInsteadOfAnswering() throws Exception {
    ApiHandler failingProduce =
        new ScriptedHandler(
            ApiKeys.PRODUCE,
            (short) 3,
            ApiKeys.PRODUCE.latestVersion(),
            (header, request) ->
                CompletableFuture.failedFuture(new NotLeaderOrFollowerException("moved")));
    try (KafkaSocket socket = start(failingProduce)) {
      short version = 9;
      socket.send(
          header(ApiKeys.PRODUCE, version, 1),
          ProduceRequest.builder(new ProduceRequestData().setAcks((short) 0).setTimeoutMs(1000))
              .build(version));
      assertTrue(socket.closedByPeer());
    }
  }

  static Stream<Arguments> badInput() {
    return Stream.of(
        Arguments.of("garbage", sizePrefixed(new byte[] {-1, -2, -3, -4, -5, -6, -7, -8, -9})),
        Arguments.of("negative length", ByteBuffer.allocate(8).putInt(-1).putInt(0).array()),
        Arguments.of(
            "oversized length", ByteBuffer.allocate(4).putInt(MAX_REQUEST_BYTES + 1).array()),
        Arguments.of(
            "unknown api key",
            sizePrefixed(
                ByteBuffer.allocate(10)
                    .putShort((short) 9999)
                    .putShort((short) 0)
                    .putInt(1)
                    .putShort((short) -1)
                    .array())),
        Arguments.of(
            "api key without a handler",
            sizePrefixed(
                KafkaSocket.bytesOf(
                    new MetadataRequest(new MetadataRequestData(), (short) 12)
                        .serializeWithHeader(header(ApiKeys.METADATA, (short) 12, 1))))),
        Arguments.of(
            "version outside the handler's range",
            sizePrefixed(
                KafkaSocket.bytesOf(
                    new HeartbeatRequest.Builder(new HeartbeatRequestData().setGroupId("g"))
                        .build((short) 0)
                        .serializeWithHeader(header(ApiKeys.HEARTBEAT, (short) 0, 1))))),
        Arguments.of("truncated body", sizePrefixed(truncatedHeartbeat())),
        Arguments.of(
            "advertised version kafka-clients cannot parse",
            sizePrefixed(
                ByteBuffer.allocate(10)
                    .putShort(ApiKeys.PRODUCE.id)
                    .putShort((short) 2)
                    .putInt(1)
                    .putShort((short) -1)
                    .array())));
  }

  private static byte[] truncatedHeartbeat() {
    byte[] whole = KafkaSocket.bytesOf(heartbeat("g").serializeWithHeader(heartbeatHeader(1)));
    return Arrays.copyOf(whole, whole.length - 3);
  }

  private static byte[] sizePrefixed(byte[] frame) {
    return ByteBuffer.allocate(4 + frame.length).putInt(frame.length).put(frame).array();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInput")
  void badInputClosesOnlyItsOwnConnection(String what, byte[] bytes) throws Exception {
    ApiHandler produceFromV0 =
        new ScriptedHandler(
            ApiKeys.PRODUCE,
            (short) 0,
            ApiKeys.PRODUCE.latestVersion(),
            (header, request) -> CompletableFuture.completedFuture(null));
    try (KafkaSocket before = start(answeringNone(), produceFromV0);
        KafkaSocket bad = connect()) {
      bad.sendRaw(bytes);
      assertTrue(bad.closedByPeer(), what + " must close the connection");

      assertEquals(Errors.NONE, heartbeatRoundTrip(before, 1, "g"));
      try (KafkaSocket after = connect()) {
        assertEquals(Errors.NONE, heartbeatRoundTrip(after, 1, "g"));
      }
    }
  }

  @Test
  void bindingAnAddressInUseFails() throws Exception {
    start(answeringNone()).close();
    ListenerSettings samePort =
        new ListenerSettings(
            "127.0.0.1",
            listener.boundAddress().getPort(),
            "127.0.0.1",
            MAX_REQUEST_BYTES,
            Duration.ofSeconds(30),
            16);
    CompletableFuture<KafkaListener> second =
        KafkaListener.bind(testKit.system(), samePort.withPlaintextZeroCopy(zeroCopy()), ApiHandlers.of(List.of()))
            .toCompletableFuture();
    ExecutionException failure =
        assertThrows(ExecutionException.class, () -> second.get(10, TimeUnit.SECONDS));
    Class<? extends Throwable> expected = zeroCopy() ? BindException.class : BindFailedException.class;
    assertInstanceOf(expected, failure.getCause());
  }

  @Test
  void anIdleConnectionIsClosed() throws Exception {
    ListenerSettings shortIdle =
        new ListenerSettings(
            "127.0.0.1", 0, "127.0.0.1", MAX_REQUEST_BYTES, Duration.ofMillis(300), 16);
    try (KafkaSocket socket = start(shortIdle, answeringNone())) {
      assertEquals(Errors.NONE, heartbeatRoundTrip(socket, 1, "g"));
      long start = System.nanoTime();
      assertTrue(socket.closedByPeer());
      assertTrue(System.nanoTime() - start >= Duration.ofMillis(250).toNanos());
    }
  }

  @Test
  void shutdownAnswersRequestsInFlightThenClosesTheConnection() throws Exception {
    CountDownLatch received = new CountDownLatch(1);
    CompletableFuture<AbstractResponse> release = new CompletableFuture<>();
    ApiHandler held =
        heartbeats(
            (header, request) -> {
              received.countDown();
              return release;
            });
    try (KafkaSocket socket = start(held)) {
      RequestHeader header = heartbeatHeader(1);
      socket.send(header, heartbeat("g"));
      assertTrue(received.await(10, TimeUnit.SECONDS));

      CompletableFuture<?> shutdown =
          listener.shutdown(Duration.ofSeconds(30)).toCompletableFuture();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThrows(ConnectException.class, this::connect));
      assertFalse(shutdown.isDone());

      release.complete(answer(Errors.NONE).toCompletableFuture().join());
      HeartbeatResponse response = socket.receive(header);
      assertEquals(Errors.NONE, response.error());
      assertTrue(socket.closedByPeer());
      shutdown.get(10, TimeUnit.SECONDS);
      listener = null;
    }
  }

  @Test
  void shutdownClosesConnectionsStillBusyAtTheDeadline() throws Exception {
    CountDownLatch received = new CountDownLatch(1);
    ApiHandler never =
        heartbeats(
            (header, request) -> {
              received.countDown();
              return new CompletableFuture<>();
            });
    try (KafkaSocket socket = start(never)) {
      socket.send(heartbeatHeader(1), heartbeat("g"));
      assertTrue(received.await(10, TimeUnit.SECONDS));

      listener.shutdown(Duration.ofMillis(200)).toCompletableFuture().get(10, TimeUnit.SECONDS);
      listener = null;
      assertTrue(socket.closedByPeer());
    }
  }
}
