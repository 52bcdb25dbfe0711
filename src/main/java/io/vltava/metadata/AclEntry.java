package io.vltava.metadata;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * One ACL as the cluster metadata stores it: Kafka's {@link AclBinding} flattened into a record, so
 * it serializes with the rest of {@link ClusterState}. Every field is definite (no ANY, no MATCH):
 * CreateAcls refuses anything else.
 */
public record AclEntry(
    ResourceType resourceType,
    String resourceName,
    PatternType patternType,
    String principal,
    String host,
    AclOperation operation,
    AclPermissionType permission) implements CborSerializable {

  public static AclEntry of(AclBinding binding) {
    return new AclEntry(binding.pattern().resourceType(), binding.pattern().name(), binding.pattern().patternType(),
        binding.entry().principal(), binding.entry().host(), binding.entry().operation(), binding.entry().permissionType());
  }

  public AclBinding toBinding() {
    return new AclBinding(new ResourcePattern(resourceType, resourceName, patternType),
        new AccessControlEntry(principal, host, operation, permission));
  }
}
