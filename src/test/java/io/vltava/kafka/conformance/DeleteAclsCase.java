package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DeleteAclsResponseData.DeleteAclsFilterResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteAclsRequest;
import org.apache.kafka.common.requests.DeleteAclsResponse;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;

/**
 * DeleteAcls: each filter answers with the ACLs it matched (an ACL two filters match is listed
 * under both) and every matched ACL is gone afterwards; a filter matching nothing answers an empty
 * list without error; the ACLs no filter matched stay.
 */
final class DeleteAclsCase implements ApiCase {

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.DELETE_ACLS;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    String name = "acl-delete-v" + version;
    AclBinding literal = acl(name, PatternType.LITERAL, AclOperation.WRITE);
    AclBinding prefix = acl(name, PatternType.PREFIXED, AclOperation.DESCRIBE);
    AclBinding kept = acl(name + "-kept", PatternType.LITERAL, AclOperation.WRITE);
    broker.createAcls(List.of(literal, prefix, kept));
    try {
      DeleteAclsResponse response = broker.send(new DeleteAclsRequestData().setFilters(List.of(
          DeleteAclsRequest.deleteAclsFilter(filter(name, PatternType.LITERAL, AclOperation.ANY)),
          DeleteAclsRequest.deleteAclsFilter(filter(name, PatternType.MATCH, AclOperation.ANY)),
          DeleteAclsRequest.deleteAclsFilter(filter(name, PatternType.ANY, AclOperation.READ)))), version);
      List<DeleteAclsFilterResult> results = response.filterResults();
      assertEquals(3, results.size());
      results.forEach(result -> assertEquals(Errors.NONE.code(), result.errorCode()));
      assertEquals(Set.of(literal), matched(results.get(0)));
      assertEquals(Set.of(literal, prefix), matched(results.get(1)));
      assertEquals(Set.of(), matched(results.get(2)));
      assertEquals(Set.of(kept), Set.copyOf(broker.admin().describeAcls(AclBindingFilter.ANY).values().get()));
    } finally {
      broker.deleteAcls(AclBindingFilter.ANY);
    }
  }

  private static AclBinding acl(String name, PatternType patternType, AclOperation operation) {
    return new AclBinding(new ResourcePattern(ResourceType.TRANSACTIONAL_ID, name, patternType),
        new AccessControlEntry("User:alice", "*", operation, AclPermissionType.ALLOW));
  }

  private static AclBindingFilter filter(String name, PatternType patternType, AclOperation operation) {
    return new AclBindingFilter(new ResourcePatternFilter(ResourceType.TRANSACTIONAL_ID, name, patternType),
        new AccessControlEntryFilter("User:alice", null, operation, AclPermissionType.ANY));
  }

  private static Set<AclBinding> matched(DeleteAclsFilterResult result) {
    result.matchingAcls().forEach(acl -> assertEquals(Errors.NONE.code(), acl.errorCode()));
    return Set.copyOf(result.matchingAcls().stream().map(DeleteAclsResponse::aclBinding).toList());
  }
}
