package io.vltava.kafka;

import io.vltava.metadata.BrokerInfo;
import io.vltava.metadata.ClusterState;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.requests.DescribeClusterResponse;

/** DescribeCluster: the cluster id, the controller and the live brokers. */
final class DescribeClusterHandler implements ApiHandler {
  private final BrokerServices broker;

  DescribeClusterHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.DESCRIBE_CLUSTER;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    DescribeClusterRequestData data = ((DescribeClusterRequest) request).data();
    ClusterState cluster = broker.cluster();
    DescribeClusterResponseData response = new DescribeClusterResponseData()
        .setClusterId(cluster.clusterId())
        .setControllerId(BrokerServices.controllerIdForClients(cluster, broker.localNodeId()))
        .setEndpointType(data.endpointType())
        .setClusterAuthorizedOperations(data.includeClusterAuthorizedOperations()
            ? broker.clusterAuthorizedOperations(context) : AuthorizedOperations.NOT_REQUESTED);
    if (data.endpointType() != 1) {
      // Only the broker endpoints exist; controllers are reached through the Pekko cluster.
      response.setErrorCode(Errors.UNSUPPORTED_ENDPOINT_TYPE.code());
    }
    // As Kafka: each broker's endpoint on the listener this client connected to.
    for (BrokerInfo node : cluster.brokers().values()) {
      node.endpoint(context.connection().listenerName()).ifPresent(endpoint -> response.brokers().add(
          new DescribeClusterResponseData.DescribeClusterBroker()
              .setBrokerId(node.nodeId()).setHost(endpoint.host()).setPort(endpoint.port())));
    }
    return CompletableFuture.completedFuture(new DescribeClusterResponse(response));
  }
}
