package io.vltava.metadata;

import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;

/**
 * A DeleteAcls filter as it travels to the controller: Kafka's {@link AclBindingFilter} flattened
 * into a record. Null strings and ANY match anything; pattern type MATCH matches every pattern
 * that covers the name (literal, wildcard, prefixes), as Kafka's filters do.
 */
public record AclFilter(
    ResourceType resourceType,
    String resourceName,
    PatternType patternType,
    String principal,
    String host,
    AclOperation operation,
    AclPermissionType permission) implements CborSerializable {

  public static AclFilter of(AclBindingFilter filter) {
    return new AclFilter(filter.patternFilter().resourceType(), filter.patternFilter().name(), filter.patternFilter().patternType(),
        filter.entryFilter().principal(), filter.entryFilter().host(), filter.entryFilter().operation(),
        filter.entryFilter().permissionType());
  }

  public AclBindingFilter toFilter() {
    return new AclBindingFilter(new ResourcePatternFilter(resourceType, resourceName, patternType),
        new AccessControlEntryFilter(principal, host, operation, permission));
  }

  public boolean matches(AclEntry acl) {
    return toFilter().matches(acl.toBinding());
  }
}
