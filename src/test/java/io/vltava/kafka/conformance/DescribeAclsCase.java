package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.message.DescribeAclsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeAclsResponse;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * DescribeAcls: Kafka's filter semantics — a LITERAL filter names one pattern, MATCH every pattern
 * covering a name (literal, wildcard, prefixes), ANY and null fields anything — with the ACLs
 * grouped per resource pattern; without DESCRIBE on the cluster, CLUSTER_AUTHORIZATION_FAILED.
 * Transactional ids carry the test ACLs: nothing else on the node is affected by them.
 */
final class DescribeAclsCase implements ApiCase {

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.DESCRIBE_ACLS;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    String name = "acl-describe-v" + version + ".tx";
    AclBinding literal = acl(name, PatternType.LITERAL, "User:alice", AclOperation.WRITE, AclPermissionType.ALLOW);
    AclBinding literalDeny = acl(name, PatternType.LITERAL, "User:bob", AclOperation.WRITE, AclPermissionType.DENY);
    AclBinding wildcard = acl("*", PatternType.LITERAL, "User:carol", AclOperation.DESCRIBE, AclPermissionType.ALLOW);
    AclBinding prefix = acl("acl-describe-v" + version, PatternType.PREFIXED, "User:alice", AclOperation.ALL,
        AclPermissionType.ALLOW);
    AclBinding other = acl("unrelated-v" + version, PatternType.LITERAL, "User:alice", AclOperation.WRITE, AclPermissionType.ALLOW);
    broker.createAcls(List.of(literal, literalDeny, wildcard, prefix, other));
    try {
      assertEquals(Set.of(literal, literalDeny), describe(broker, version, name, PatternType.LITERAL, null));
      assertEquals(Set.of(literal, literalDeny, wildcard, prefix), describe(broker, version, name, PatternType.MATCH, null));
      assertEquals(Set.of(literal, prefix, other), describe(broker, version, null, PatternType.ANY, "User:alice"));
      assertEquals(Set.of(prefix), describe(broker, version, null, PatternType.PREFIXED, null));
      assertEquals(Set.of(), describe(broker, version, "nothing-v" + version, PatternType.LITERAL, null));

      DescribeAclsResponse grouped = broker.send(filter(ResourceType.TRANSACTIONAL_ID, name, PatternType.LITERAL, null), version);
      assertEquals(1, grouped.acls().size(), "both ACLs of one pattern come under one resource");
      assertEquals(2, grouped.acls().get(0).acls().size());

      // Refused without DESCRIBE on the cluster (this connection keeps ALTER, to clean up).
      AclBinding allowCluster = clusterAcl(AclOperation.ALL, AclPermissionType.ALLOW);
      AclBinding denyDescribe = clusterAcl(AclOperation.DESCRIBE, AclPermissionType.DENY);
      broker.createAcls(List.of(allowCluster, denyDescribe));
      DescribeAclsResponse refused = broker.send(filter(ResourceType.ANY, null, PatternType.ANY, null), version);
      assertEquals(Errors.CLUSTER_AUTHORIZATION_FAILED, refused.error().error());
      assertEquals(List.of(), refused.acls());
    } finally {
      assertEquals(7, broker.deleteAcls(AclBindingFilter.ANY));
    }
  }

  private static AclBinding acl(String name, PatternType patternType, String principal, AclOperation operation,
      AclPermissionType permission) {
    return new AclBinding(new ResourcePattern(ResourceType.TRANSACTIONAL_ID, name, patternType),
        new AccessControlEntry(principal, "*", operation, permission));
  }

  private static AclBinding clusterAcl(AclOperation operation, AclPermissionType permission) {
    return new AclBinding(new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL),
        new AccessControlEntry("User:ANONYMOUS", "*", operation, permission));
  }

  private static DescribeAclsRequestData filter(ResourceType type, String name, PatternType patternType, String principal) {
    return new DescribeAclsRequestData()
        .setResourceTypeFilter(type.code())
        .setResourceNameFilter(name).setPatternTypeFilter(patternType.code())
        .setPrincipalFilter(principal).setHostFilter(null)
        .setOperation(AclOperation.ANY.code()).setPermissionType(AclPermissionType.ANY.code());
  }

  private static Set<AclBinding> describe(ConformanceBroker broker, short version, String name, PatternType patternType,
      String principal) throws Exception {
    DescribeAclsResponse response = broker.send(filter(ResourceType.TRANSACTIONAL_ID, name, patternType, principal), version);
    assertEquals(Errors.NONE, response.error().error());
    return Set.copyOf(DescribeAclsResponse.aclBindings(response.acls()));
  }
}
