package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeClusterResponse;

/**
 * DescribeCluster: the cluster id, the controller and this broker with its endpoint; from v1 a
 * request for controller endpoints is refused (brokers answer only for brokers); from v2 fenced
 * brokers may be asked for (none is fenced).
 */
final class DescribeClusterCase implements ApiCase {
  private static final short FIRST_VERSION_WITH_ENDPOINT_TYPE = 1;
  private static final short FIRST_VERSION_WITH_FENCED_BROKERS = 2;
  private static final byte BROKER_ENDPOINTS = 1;
  private static final byte CONTROLLER_ENDPOINTS = 2;

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.DESCRIBE_CLUSTER;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    DescribeClusterRequestData request = new DescribeClusterRequestData().setIncludeClusterAuthorizedOperations(true);
    if (version >= FIRST_VERSION_WITH_ENDPOINT_TYPE) {
      request.setEndpointType(BROKER_ENDPOINTS);
    }
    if (version >= FIRST_VERSION_WITH_FENCED_BROKERS) {
      request.setIncludeFencedBrokers(true);
    }
    DescribeClusterResponseData answer = ((DescribeClusterResponse) broker.send(request, version)).data();
    assertEquals(Errors.NONE, Errors.forCode(answer.errorCode()));
    assertEquals(broker.node().metadata().current().clusterId(), answer.clusterId());
    assertEquals(broker.nodeId(), answer.controllerId());
    assertEquals(BROKER_ENDPOINTS, answer.endpointType());
    assertEquals(1, answer.brokers().size());
    DescribeClusterBroker self = answer.brokers().find(broker.nodeId());
    assertNotNull(self);
    assertEquals(broker.node().kafkaAddress().getHostString(), self.host());
    assertEquals(broker.node().kafkaAddress().getPort(), self.port());
    assertNull(self.rack());
    assertFalse(self.isFenced());
    assertEquals(ConformanceBroker.ALL_CLUSTER_OPERATIONS, answer.clusterAuthorizedOperations());

    if (version >= FIRST_VERSION_WITH_ENDPOINT_TYPE) {
      DescribeClusterResponseData controllers = ((DescribeClusterResponse) broker.send(
          new DescribeClusterRequestData().setEndpointType(CONTROLLER_ENDPOINTS), version)).data();
      assertEquals(Errors.UNSUPPORTED_ENDPOINT_TYPE, Errors.forCode(controllers.errorCode()));
      assertEquals(ConformanceBroker.OPERATIONS_NOT_REQUESTED, controllers.clusterAuthorizedOperations());
    }
  }
}
