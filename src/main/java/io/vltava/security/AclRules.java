package io.vltava.security;

import io.vltava.metadata.AclEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.utils.SecurityUtils;

/** Kafka's checks of an ACL before it is created: every field definite and meaningful. */
public final class AclRules {
  /** The one name of the CLUSTER resource, as in Kafka. */
  public static final String CLUSTER_RESOURCE_NAME = "kafka-cluster";

  private AclRules() {}

  /** The ACL to store for {@code binding}; throws InvalidRequestException naming what is wrong. */
  public static AclEntry validNew(AclBinding binding) {
    ResourceType type = binding.pattern().resourceType();
    if (type == ResourceType.ANY || type == ResourceType.UNKNOWN) {
      throw new InvalidRequestException("Invalid resourceType " + type);
    }
    PatternType patternType = binding.pattern().patternType();
    if (patternType != PatternType.LITERAL && patternType != PatternType.PREFIXED) {
      throw new InvalidRequestException("Invalid patternType " + patternType);
    }
    AclOperation operation = binding.entry().operation();
    if (operation == AclOperation.ANY || operation == AclOperation.UNKNOWN) {
      throw new InvalidRequestException("Invalid operation " + operation);
    }
    AclPermissionType permission = binding.entry().permissionType();
    if (permission != AclPermissionType.ALLOW && permission != AclPermissionType.DENY) {
      throw new InvalidRequestException("Invalid permissionType " + permission);
    }
    String name = binding.pattern().name();
    if (name == null || name.isEmpty()) {
      throw new InvalidRequestException("Resource name should not be empty");
    }
    if (type == ResourceType.CLUSTER && !name.equals(CLUSTER_RESOURCE_NAME)) {
      throw new InvalidRequestException("The only valid name for the CLUSTER resource is " + CLUSTER_RESOURCE_NAME);
    }
    try {
      SecurityUtils.parseKafkaPrincipal(binding.entry().principal());
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("Could not parse principal from `" + binding.entry().principal() + "` (no colon is present"
          + " separating the principal type from the principal name)");
    }
    if (binding.entry().host() == null || binding.entry().host().isEmpty()) {
      throw new InvalidRequestException("Invalid host: give an IP address, or * for any");
    }
    return AclEntry.of(binding);
  }
}
