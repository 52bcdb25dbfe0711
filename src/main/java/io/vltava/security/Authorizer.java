package io.vltava.security;

import io.vltava.metadata.AclEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * Decides whether a principal, connected from a host, may perform an operation on a resource, by
 * Kafka's rules (StandardAuthorizer): super users may do everything; otherwise the ACLs whose
 * pattern covers the resource (the literal name, the literal wildcard {@code *}, or a prefix) and
 * whose principal ({@code User:*} for anyone) and host ({@code *} for any) match are consulted; a
 * matching DENY wins over any ALLOW; an ALLOW of READ, WRITE, DELETE or ALTER also allows DESCRIBE,
 * and one of ALTER_CONFIGS also DESCRIBE_CONFIGS; ALL stands for every operation. A resource that no
 * ACL covers at all is allowed only with {@code allow.everyone.if.no.acl.found}.
 * Immutable: built from one metadata version's ACLs, safe to share between threads.
 */
public final class Authorizer {
  private static final String WILDCARD_PRINCIPAL = "User:*";
  private static final String WILDCARD_HOST = "*";

  private static final Map<ResourceType, Set<AclOperation>> SUPPORTED_OPERATIONS = Map.of(
      ResourceType.TOPIC, EnumSet.of(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DESCRIBE,
          AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS),
      ResourceType.GROUP, EnumSet.of(AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE,
          AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS),
      ResourceType.CLUSTER, EnumSet.of(AclOperation.CREATE, AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS,
          AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE, AclOperation.ALTER, AclOperation.DESCRIBE),
      ResourceType.TRANSACTIONAL_ID, EnumSet.of(AclOperation.DESCRIBE, AclOperation.WRITE),
      ResourceType.DELEGATION_TOKEN, EnumSet.of(AclOperation.DESCRIBE),
      ResourceType.USER, EnumSet.of(AclOperation.CREATE_TOKENS, AclOperation.DESCRIBE_TOKENS));

  private final AuthorizationSettings settings;
  private final Collection<AclEntry> acls;
  private final Map<ResourceType, List<AclEntry>> aclsByType = new EnumMap<>(ResourceType.class);

  public Authorizer(AuthorizationSettings settings, Collection<AclEntry> acls) {
    this.settings = settings;
    this.acls = acls;
    for (AclEntry acl : acls) {
      aclsByType.computeIfAbsent(acl.resourceType(), type -> new ArrayList<>()).add(acl);
    }
  }

  /** The ACLs it decides by, as given. */
  public Collection<AclEntry> acls() {
    return acls;
  }

  public boolean enabled() {
    return settings.enabled();
  }

  /** The operations Kafka's ACLs know for a resource type (what authorized-operations fields report on). */
  public static Set<AclOperation> supportedOperations(ResourceType type) {
    return SUPPORTED_OPERATIONS.getOrDefault(type, Set.of());
  }

  public boolean authorize(KafkaPrincipal principal, String host, AclOperation operation, ResourceType type, String name) {
    if (!settings.enabled() || isSuperUser(principal)) {
      return true;
    }
    boolean resourceHasAcls = false;
    boolean allowed = false;
    for (AclEntry acl : aclsByType.getOrDefault(type, List.of())) {
      if (!covers(acl, name)) {
        continue;
      }
      resourceHasAcls = true;
      if (!appliesTo(acl, principal, host)) {
        continue;
      }
      if (acl.permission() == AclPermissionType.DENY) {
        if (acl.operation() == AclOperation.ALL || acl.operation() == operation) {
          return false;
        }
      } else if (acl.permission() == AclPermissionType.ALLOW && allows(acl.operation(), operation)) {
        allowed = true;
      }
    }
    return resourceHasAcls ? allowed : settings.allowEveryoneIfNoAclFound();
  }

  /**
   * Whether {@code operation} is allowed on some resource of {@code type} (Kafka's
   * authorizeByResourceType, which InitProducerId uses for "may write to any topic"): some ALLOW
   * names a resource that no DENY covers. Only the operation itself or ALL count, not implied ones.
   */
  public boolean authorizeAnyOfType(KafkaPrincipal principal, String host, AclOperation operation, ResourceType type) {
    // A name no ACL is likely to cover: lets super users and allow.everyone.if.no.acl.found through as Kafka does.
    if (authorize(principal, host, operation, type, "hardcode")) {
      return true;
    }
    Set<String> deniedLiterals = new HashSet<>();
    Set<String> deniedPrefixes = new HashSet<>();
    List<AclEntry> allows = new ArrayList<>();
    for (AclEntry acl : aclsByType.getOrDefault(type, List.of())) {
      if (!appliesTo(acl, principal, host) || (acl.operation() != operation && acl.operation() != AclOperation.ALL)) {
        continue;
      }
      if (acl.permission() == AclPermissionType.DENY) {
        if (acl.patternType() == PatternType.LITERAL && acl.resourceName().equals(ResourcePattern.WILDCARD_RESOURCE)) {
          return false;
        }
        (acl.patternType() == PatternType.PREFIXED ? deniedPrefixes : deniedLiterals).add(acl.resourceName());
      } else if (acl.permission() == AclPermissionType.ALLOW) {
        allows.add(acl);
      }
    }
    for (AclEntry allow : allows) {
      if (allow.patternType() == PatternType.LITERAL && allow.resourceName().equals(ResourcePattern.WILDCARD_RESOURCE)) {
        return true;
      }
    }
    for (AclEntry allow : allows) {
      String name = allow.resourceName();
      boolean deniedLiterally = allow.patternType() == PatternType.LITERAL && deniedLiterals.contains(name);
      boolean deniedByPrefix = deniedPrefixes.stream().anyMatch(name::startsWith);
      if (!deniedLiterally && !deniedByPrefix) {
        return true;
      }
    }
    return false;
  }

  /** Of the operations Kafka knows for {@code type}, those allowed on the resource. */
  public Set<AclOperation> authorizedOperations(KafkaPrincipal principal, String host, ResourceType type, String name) {
    Set<AclOperation> allowed = EnumSet.noneOf(AclOperation.class);
    for (AclOperation operation : supportedOperations(type)) {
      if (authorize(principal, host, operation, type, name)) {
        allowed.add(operation);
      }
    }
    return allowed;
  }

  private boolean isSuperUser(KafkaPrincipal principal) {
    return settings.superUsers().contains(principal.getPrincipalType() + ":" + principal.getName());
  }

  private static boolean covers(AclEntry acl, String name) {
    return switch (acl.patternType()) {
      case LITERAL -> acl.resourceName().equals(name) || acl.resourceName().equals(ResourcePattern.WILDCARD_RESOURCE);
      case PREFIXED -> name.startsWith(acl.resourceName());
      default -> false;
    };
  }

  private static boolean appliesTo(AclEntry acl, KafkaPrincipal principal, String host) {
    boolean principalMatches = acl.principal().equals(WILDCARD_PRINCIPAL)
        || acl.principal().equals(principal.getPrincipalType() + ":" + principal.getName());
    boolean hostMatches = acl.host().equals(WILDCARD_HOST) || acl.host().equals(host);
    return principalMatches && hostMatches;
  }

  /** Whether an ALLOW ACL for {@code granted} allows {@code requested}. */
  private static boolean allows(AclOperation granted, AclOperation requested) {
    if (granted == AclOperation.ALL || granted == requested) {
      return true;
    }
    return switch (requested) {
      case DESCRIBE -> granted == AclOperation.READ || granted == AclOperation.WRITE
          || granted == AclOperation.DELETE || granted == AclOperation.ALTER;
      case DESCRIBE_CONFIGS -> granted == AclOperation.ALTER_CONFIGS;
      default -> false;
    };
  }
}
