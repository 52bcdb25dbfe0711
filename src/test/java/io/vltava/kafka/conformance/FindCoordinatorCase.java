package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.requests.FindCoordinatorResponse;

/**
 * FindCoordinator: every group's coordinator is the node asked (one key before v4, a batch from
 * v4). Transactional ids are refused as InitProducerId refuses them (transactions are not
 * implemented; Kafka would answer with its transaction coordinator), and a key type the request
 * cannot mean gets INVALID_REQUEST, as from Kafka.
 */
final class FindCoordinatorCase implements ApiCase {
  /** Not a coordinator type: Kafka fails to look it up and answers INVALID_REQUEST. */
  private static final byte UNKNOWN_KEY_TYPE = 7;

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.FIND_COORDINATOR;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    List<String> groups = List.of("find-coordinator-a-v" + version, "find-coordinator-b-v" + version);
    if (version < 4) {
      assertSelf(broker, single(broker, version, groups.get(0), CoordinatorType.GROUP.id()));
    } else {
      List<Coordinator> coordinators = batch(broker, version, groups, CoordinatorType.GROUP.id());
      assertEquals(groups, coordinators.stream().map(Coordinator::key).toList());
      coordinators.forEach(c -> assertSelf(broker, c));
    }
    if (version >= 1) {
      // The key type arrives with v1.
      assertRefused(broker, version, "conformance-transactional-id", CoordinatorType.TRANSACTION.id(),
          Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      assertRefused(broker, version, groups.get(0), UNKNOWN_KEY_TYPE, Errors.INVALID_REQUEST);
    }
    if (version >= 6) {
      // Share groups (KIP-932) arrive with v6; there is no share coordinator.
      assertRefused(broker, version, groups.get(0), CoordinatorType.SHARE.id(), Errors.INVALID_REQUEST);
    }
  }

  private static Coordinator single(ConformanceBroker broker, short version, String key, byte keyType) throws Exception {
    FindCoordinatorRequestData request = new FindCoordinatorRequestData().setKey(key);
    if (version >= 1) {
      request.setKeyType(keyType);
    }
    FindCoordinatorResponseData data = broker.<FindCoordinatorResponse>send(request, version).data();
    return new Coordinator().setKey(key).setErrorCode(data.errorCode()).setNodeId(data.nodeId())
        .setHost(data.host()).setPort(data.port());
  }

  private static List<Coordinator> batch(ConformanceBroker broker, short version, List<String> keys, byte keyType)
      throws Exception {
    FindCoordinatorResponse response = broker.send(
        new FindCoordinatorRequestData().setKeyType(keyType).setCoordinatorKeys(keys), version);
    return response.data().coordinators();
  }

  private static void assertSelf(ConformanceBroker broker, Coordinator coordinator) {
    assertEquals(Errors.NONE, Errors.forCode(coordinator.errorCode()), coordinator.key());
    assertEquals(broker.nodeId(), coordinator.nodeId());
    assertEquals(broker.node().kafkaAddress().getHostString(), coordinator.host());
    assertEquals(broker.node().kafkaAddress().getPort(), coordinator.port());
  }

  private static void assertRefused(ConformanceBroker broker, short version, String key, byte keyType, Errors error)
      throws Exception {
    Coordinator answer = version < 4 ? single(broker, version, key, keyType) : batch(broker, version, List.of(key), keyType).get(0);
    assertEquals(key, answer.key());
    assertEquals(error, Errors.forCode(answer.errorCode()), "key type " + keyType);
    assertEquals(-1, answer.nodeId());
    assertEquals(-1, answer.port());
  }
}
