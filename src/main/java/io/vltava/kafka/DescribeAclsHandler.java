package io.vltava.kafka;

import io.vltava.metadata.AclEntry;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeAclsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeAclsRequest;
import org.apache.kafka.common.requests.DescribeAclsResponse;

/**
 * DescribeAcls (kafka-acls --list): the ACLs in this node's metadata that match the filter, with
 * Kafka's filter semantics (ANY, MATCH). Needs DESCRIBE on the cluster.
 */
final class DescribeAclsHandler implements ApiHandler {
  private final BrokerServices broker;

  DescribeAclsHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.DESCRIBE_ACLS;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    if (!broker.authorizedOnCluster(context, AclOperation.DESCRIBE)) {
      return BrokerServices.refused(request, Errors.CLUSTER_AUTHORIZATION_FAILED);
    }
    AclBindingFilter filter = ((DescribeAclsRequest) request).filter();
    if (filter.isUnknown()) {
      return BrokerServices.refused(request, Errors.INVALID_REQUEST);
    }
    List<AclBinding> matching = broker.cluster().acls().stream()
        .map(AclEntry::toBinding)
        .filter(filter::matches)
        // A stable order, so repeated listings read the same.
        .sorted(Comparator.comparing(AclBinding::toString))
        .toList();
    return CompletableFuture.completedFuture(new DescribeAclsResponse(new DescribeAclsResponseData()
        .setResources(DescribeAclsResponse.aclsResources(matching)), context.apiVersion()));
  }
}
