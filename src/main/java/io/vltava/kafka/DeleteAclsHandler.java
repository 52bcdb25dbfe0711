package io.vltava.kafka;

import io.vltava.controller.Controller;
import io.vltava.metadata.AclEntry;
import io.vltava.metadata.AclFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.message.DeleteAclsResponseData.DeleteAclsFilterResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DeleteAclsRequest;
import org.apache.kafka.common.requests.DeleteAclsResponse;

/**
 * DeleteAcls (kafka-acls --remove): removes, through the controller, every ACL that matches any
 * filter (Kafka's ANY and MATCH semantics) and answers per filter with the ACLs it matched. Needs
 * ALTER on the cluster.
 */
final class DeleteAclsHandler implements ApiHandler {
  private final BrokerServices broker;

  DeleteAclsHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.DELETE_ACLS;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    if (!broker.authorizedOnCluster(context, AclOperation.ALTER)) {
      return BrokerServices.refused(request, Errors.CLUSTER_AUTHORIZATION_FAILED);
    }
    List<AclFilter> filters = ((DeleteAclsRequest) request).filters().stream().map(AclFilter::of).toList();
    short version = context.apiVersion();
    return broker.<Controller.AclsDeleted>askControllerAndSee(
            replyTo -> new Controller.DeleteAcls(filters, replyTo), Controller.AclsDeleted::stateVersion)
        .thenApply(deleted -> {
          List<DeleteAclsFilterResult> results = new ArrayList<>();
          for (List<AclEntry> matched : deleted.deleted()) {
            results.add(new DeleteAclsFilterResult()
                .setErrorCode(deleted.outcome().errorCode()).setErrorMessage(deleted.outcome().errorMessage())
                .setMatchingAcls(matched.stream().map(acl -> DeleteAclsResponse.matchingAcl(acl.toBinding(), ApiError.NONE)).toList()));
          }
          return new DeleteAclsResponse(new DeleteAclsResponseData().setFilterResults(results), version);
        });
  }
}
