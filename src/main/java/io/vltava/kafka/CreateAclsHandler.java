package io.vltava.kafka;

import io.vltava.controller.Controller;
import io.vltava.metadata.AclEntry;
import io.vltava.security.AclRules;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.CreateAclsRequestData.AclCreation;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.CreateAclsResponseData.AclCreationResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.CreateAclsRequest;
import org.apache.kafka.common.requests.CreateAclsResponse;

/**
 * CreateAcls (kafka-acls --add): stores each valid ACL in the cluster metadata through the
 * controller; an invalid one is answered INVALID_REQUEST and the others still apply. Needs ALTER on
 * the cluster. Unlike Kafka without an authorizer (SECURITY_DISABLED), ACLs are kept while
 * authorization is off, so they can be in place before it is turned on.
 */
final class CreateAclsHandler implements ApiHandler {
  private final BrokerServices broker;

  CreateAclsHandler(BrokerServices broker) {
    this.broker = broker;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.CREATE_ACLS;
  }

  @Override
  public CompletionStage<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    if (!broker.authorizedOnCluster(context, AclOperation.ALTER)) {
      return BrokerServices.refused(request, Errors.CLUSTER_AUTHORIZATION_FAILED);
    }
    List<AclCreation> creations = ((CreateAclsRequest) request).aclCreations();
    List<AclCreationResult> results = new ArrayList<>();
    List<AclEntry> valid = new ArrayList<>();
    for (AclCreation creation : creations) {
      try {
        valid.add(AclRules.validNew(CreateAclsRequest.aclBinding(creation)));
        results.add(null); // filled with the controller's answer
      } catch (ApiException | IllegalArgumentException e) {
        Errors error = e instanceof ApiException ? Errors.forException(e) : Errors.INVALID_REQUEST;
        results.add(new AclCreationResult().setErrorCode(error.code()).setErrorMessage(e.getMessage()));
      }
    }
    return broker.changeMetadata(replyTo -> new Controller.CreateAcls(valid, replyTo)).thenApply(outcomes -> {
      Iterator<Controller.Outcome> answers = outcomes.iterator();
      for (int i = 0; i < results.size(); i++) {
        if (results.get(i) == null) {
          Controller.Outcome outcome = answers.next();
          results.set(i, new AclCreationResult().setErrorCode(outcome.errorCode()).setErrorMessage(outcome.errorMessage()));
        }
      }
      return new CreateAclsResponse(new CreateAclsResponseData().setResults(results));
    });
  }
}
