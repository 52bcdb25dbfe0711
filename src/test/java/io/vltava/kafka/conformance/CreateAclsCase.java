package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreateAclsRequestData.AclCreation;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateAclsRequest;
import org.apache.kafka.common.requests.CreateAclsResponse;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * CreateAcls: valid ACLs are stored (and enforced: a DENY for this connection's User:ANONYMOUS
 * refuses its produce with TOPIC_AUTHORIZATION_FAILED), an invalid one in the same request is
 * answered INVALID_REQUEST on its own; the node runs with authorization on and
 * allow.everyone.if.no.acl.found, so only the resources these ACLs name are affected.
 */
final class CreateAclsCase implements ApiCase {

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.CREATE_ACLS;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    String topic = broker.createTopic("acl-create-v" + version, 1);
    AclBinding denyWrite = new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
        new AccessControlEntry("User:ANONYMOUS", "*", AclOperation.WRITE, AclPermissionType.DENY));
    AclBinding allowPrefix = new AclBinding(new ResourcePattern(ResourceType.GROUP, topic + "-", PatternType.PREFIXED),
        new AccessControlEntry("User:alice", "10.0.0.1", AclOperation.READ, AclPermissionType.ALLOW));
    AclCreation badCluster = new AclCreation().setResourceType(ResourceType.CLUSTER.code()).setResourceName("not-the-cluster")
        .setResourcePatternType(PatternType.LITERAL.code()).setPrincipal("User:alice").setHost("*")
        .setOperation(AclOperation.ALTER.code()).setPermissionType(AclPermissionType.ALLOW.code());
    AclCreation badPrincipal = CreateAclsRequest.aclCreation(new AclBinding(
        new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
        new AccessControlEntry("alice", "*", AclOperation.READ, AclPermissionType.ALLOW)));
    try {
      CreateAclsResponse response = broker.send(new CreateAclsRequestData().setCreations(List.of(
          CreateAclsRequest.aclCreation(denyWrite), badCluster, CreateAclsRequest.aclCreation(allowPrefix), badPrincipal)), version);
      assertEquals(List.of(Errors.NONE, Errors.INVALID_REQUEST, Errors.NONE, Errors.INVALID_REQUEST),
          response.results().stream().map(r -> Errors.forCode(r.errorCode())).toList());
      assertEquals("The only valid name for the CLUSTER resource is kafka-cluster", response.results().get(1).errorMessage());

      List<AclBinding> stored = List.copyOf(broker.admin().describeAcls(new AclBindingFilter(
          new org.apache.kafka.common.resource.ResourcePatternFilter(ResourceType.ANY, null, PatternType.ANY),
          new org.apache.kafka.common.acl.AccessControlEntryFilter(null, null, AclOperation.ANY, AclPermissionType.ANY)))
          .values().get());
      assertEquals(java.util.Set.of(denyWrite, allowPrefix), java.util.Set.copyOf(stored));
      assertEquals(Errors.TOPIC_AUTHORIZATION_FAILED, broker.produceError(topic, 0, ConformanceBroker.batch("denied", 1, 1_000L)));

      // Creating an ACL that exists already changes nothing and succeeds, as in Kafka.
      CreateAclsResponse again = broker.send(new CreateAclsRequestData().setCreations(List.of(
          CreateAclsRequest.aclCreation(denyWrite))), version);
      assertEquals(Errors.NONE.code(), again.results().get(0).errorCode());
    } finally {
      assertEquals(2, broker.deleteAcls(AclBindingFilter.ANY));
    }
    assertEquals(Errors.NONE, broker.produceError(topic, 0, ConformanceBroker.batch("allowed", 1, 1_000L)));
  }
}
