package io.vltava.security;

import static org.apache.kafka.common.acl.AclOperation.ALL;
import static org.apache.kafka.common.acl.AclOperation.ALTER;
import static org.apache.kafka.common.acl.AclOperation.ALTER_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DELETE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.acl.AclPermissionType.ALLOW;
import static org.apache.kafka.common.acl.AclPermissionType.DENY;
import static org.apache.kafka.common.resource.PatternType.LITERAL;
import static org.apache.kafka.common.resource.PatternType.PREFIXED;
import static org.apache.kafka.common.resource.ResourceType.CLUSTER;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import io.vltava.metadata.AclEntry;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.Test;

class AuthorizerTest {
  private static final KafkaPrincipal ALICE = new KafkaPrincipal("User", "alice");
  private static final KafkaPrincipal BOB = new KafkaPrincipal("User", "bob");
  private static final String HOST = "10.0.0.1";
  private static final AuthorizationSettings ON = new AuthorizationSettings(true, Set.of(), false);

  private static AclEntry acl(ResourceType type, String name, PatternType pattern, String principal, String host,
      AclOperation operation, AclPermissionType permission) {
    return new AclEntry(type, name, pattern, principal, host, operation, permission);
  }

  private static AclEntry allow(ResourceType type, String name, PatternType pattern, AclOperation operation) {
    return acl(type, name, pattern, "User:alice", "*", operation, ALLOW);
  }

  private static AclEntry deny(ResourceType type, String name, PatternType pattern, AclOperation operation) {
    return acl(type, name, pattern, "User:alice", "*", operation, DENY);
  }

  private static Authorizer authorizer(AclEntry... acls) {
    return new Authorizer(ON, List.of(acls));
  }

  @Test
  void offAllowsEverything() {
    Authorizer off = new Authorizer(AuthorizationSettings.OFF, List.of(deny(TOPIC, "t", LITERAL, ALL)));
    assertTrue(off.authorize(ALICE, HOST, WRITE, TOPIC, "t"));
    assertFalse(off.enabled());
  }

  @Test
  void withoutAclsEverythingIsDeniedUnlessAllowEveryoneIfNoAclFound() {
    assertFalse(authorizer().authorize(ALICE, HOST, READ, TOPIC, "t"));
    Authorizer permissive = new Authorizer(new AuthorizationSettings(true, Set.of(), true), List.of(allow(TOPIC, "other", LITERAL, READ)));
    assertTrue(permissive.authorize(ALICE, HOST, READ, TOPIC, "t"));
    // Once some ACL covers the resource, it no longer counts as "no ACL found", even for another principal.
    Authorizer covered = new Authorizer(new AuthorizationSettings(true, Set.of(), true), List.of(allow(TOPIC, "t", LITERAL, READ)));
    assertFalse(covered.authorize(BOB, HOST, READ, TOPIC, "t"));
    assertTrue(covered.authorize(ALICE, HOST, READ, TOPIC, "t"));
  }

  @Test
  void literalAllowCoversOnlyItsNameTypeAndOperation() {
    Authorizer authorizer = authorizer(allow(TOPIC, "orders", LITERAL, WRITE));
    assertTrue(authorizer.authorize(ALICE, HOST, WRITE, TOPIC, "orders"));
    assertFalse(authorizer.authorize(ALICE, HOST, WRITE, TOPIC, "orders2"));
    assertFalse(authorizer.authorize(ALICE, HOST, READ, TOPIC, "orders"));
    assertFalse(authorizer.authorize(ALICE, HOST, WRITE, GROUP, "orders"));
    assertFalse(authorizer.authorize(BOB, HOST, WRITE, TOPIC, "orders"));
  }

  @Test
  void wildcardNamePrincipalAndHost() {
    Authorizer anyTopic = authorizer(allow(TOPIC, "*", LITERAL, READ));
    assertTrue(anyTopic.authorize(ALICE, HOST, READ, TOPIC, "whatever"));
    Authorizer anyone = authorizer(acl(TOPIC, "t", LITERAL, "User:*", "*", READ, ALLOW));
    assertTrue(anyone.authorize(BOB, HOST, READ, TOPIC, "t"));
    assertTrue(anyone.authorize(KafkaPrincipal.ANONYMOUS, HOST, READ, TOPIC, "t"));
    Authorizer oneHost = authorizer(acl(TOPIC, "t", LITERAL, "User:alice", HOST, READ, ALLOW));
    assertTrue(oneHost.authorize(ALICE, HOST, READ, TOPIC, "t"));
    assertFalse(oneHost.authorize(ALICE, "10.0.0.2", READ, TOPIC, "t"));
  }

  @Test
  void prefixedCoversNamesStartingWithIt() {
    Authorizer authorizer = authorizer(allow(TOPIC, "team-a.", PREFIXED, READ));
    assertTrue(authorizer.authorize(ALICE, HOST, READ, TOPIC, "team-a.orders"));
    assertTrue(authorizer.authorize(ALICE, HOST, READ, TOPIC, "team-a."));
    assertFalse(authorizer.authorize(ALICE, HOST, READ, TOPIC, "team-b.orders"));
    assertFalse(authorizer.authorize(ALICE, HOST, READ, TOPIC, "team-a"));
  }

  @Test
  void denyWinsOverAllow() {
    Authorizer authorizer = authorizer(allow(TOPIC, "*", LITERAL, ALL), deny(TOPIC, "secret", LITERAL, READ));
    assertFalse(authorizer.authorize(ALICE, HOST, READ, TOPIC, "secret"));
    assertTrue(authorizer.authorize(ALICE, HOST, WRITE, TOPIC, "secret"));
    assertTrue(authorizer.authorize(ALICE, HOST, READ, TOPIC, "public"));
    Authorizer denyAll = authorizer(allow(TOPIC, "t", LITERAL, READ), deny(TOPIC, "t", PREFIXED, ALL));
    assertFalse(denyAll.authorize(ALICE, HOST, READ, TOPIC, "t"));
    // A DENY for everyone from one host.
    Authorizer denyHost = authorizer(allow(TOPIC, "t", LITERAL, READ), acl(TOPIC, "t", LITERAL, "User:*", HOST, READ, DENY));
    assertFalse(denyHost.authorize(ALICE, HOST, READ, TOPIC, "t"));
    assertTrue(denyHost.authorize(ALICE, "10.0.0.2", READ, TOPIC, "t"));
  }

  @Test
  void impliedOperations() {
    for (AclOperation implying : List.of(READ, WRITE, DELETE, ALTER)) {
      assertTrue(authorizer(allow(TOPIC, "t", LITERAL, implying)).authorize(ALICE, HOST, DESCRIBE, TOPIC, "t"), implying + " implies DESCRIBE");
    }
    assertFalse(authorizer(allow(TOPIC, "t", LITERAL, CREATE)).authorize(ALICE, HOST, DESCRIBE, TOPIC, "t"));
    assertTrue(authorizer(allow(TOPIC, "t", LITERAL, ALTER_CONFIGS)).authorize(ALICE, HOST, DESCRIBE_CONFIGS, TOPIC, "t"));
    assertFalse(authorizer(allow(TOPIC, "t", LITERAL, DESCRIBE)).authorize(ALICE, HOST, READ, TOPIC, "t"));
    // A DENY implies nothing: denying READ leaves DESCRIBE (granted by WRITE) allowed.
    Authorizer denyRead = authorizer(allow(TOPIC, "t", LITERAL, WRITE), deny(TOPIC, "t", LITERAL, READ));
    assertTrue(denyRead.authorize(ALICE, HOST, DESCRIBE, TOPIC, "t"));
  }

  @Test
  void superUsersMayDoEverythingDespiteDeny() {
    Authorizer authorizer = new Authorizer(new AuthorizationSettings(true, AuthorizationSettings.parseSuperUsers("User:admin; User:alice"), false),
        List.of(deny(TOPIC, "t", LITERAL, ALL)));
    assertTrue(authorizer.authorize(ALICE, HOST, READ, TOPIC, "t"));
    assertTrue(authorizer.authorize(ALICE, HOST, AclOperation.CLUSTER_ACTION, CLUSTER, "kafka-cluster"));
    assertFalse(authorizer.authorize(BOB, HOST, READ, TOPIC, "t"));
  }

  @Test
  void superUsersParseKafkasFormat() {
    assertTrue(AuthorizationSettings.parseSuperUsers("").isEmpty());
    assertEquals(Set.of("User:a", "User:b"), AuthorizationSettings.parseSuperUsers("User:a;User:b;;"));
    ConfigException bad = assertThrows(ConfigException.class, () -> AuthorizationSettings.parseSuperUsers("alice"));
    assertTrue(bad.getMessage().contains("'alice'"), bad.getMessage());
  }

  @Test
  void anyOfTypeAsKafkasAuthorizeByResourceType() {
    assertFalse(authorizer().authorizeAnyOfType(ALICE, HOST, WRITE, TOPIC));
    assertTrue(authorizer(allow(TOPIC, "t", LITERAL, WRITE)).authorizeAnyOfType(ALICE, HOST, WRITE, TOPIC));
    assertFalse(authorizer(allow(TOPIC, "t", LITERAL, READ)).authorizeAnyOfType(ALICE, HOST, WRITE, TOPIC));
    assertFalse(authorizer(allow(TOPIC, "t", LITERAL, WRITE), deny(TOPIC, "t", LITERAL, WRITE))
        .authorizeAnyOfType(ALICE, HOST, WRITE, TOPIC));
    assertFalse(authorizer(allow(TOPIC, "team.t", LITERAL, WRITE), deny(TOPIC, "team", PREFIXED, WRITE))
        .authorizeAnyOfType(ALICE, HOST, WRITE, TOPIC));
    assertTrue(authorizer(allow(TOPIC, "team.", PREFIXED, WRITE), deny(TOPIC, "team.x", LITERAL, WRITE))
        .authorizeAnyOfType(ALICE, HOST, WRITE, TOPIC));
    assertTrue(authorizer(allow(TOPIC, "*", LITERAL, ALL)).authorizeAnyOfType(ALICE, HOST, WRITE, TOPIC));
    assertFalse(authorizer(allow(TOPIC, "*", LITERAL, WRITE), deny(TOPIC, "*", LITERAL, WRITE))
        .authorizeAnyOfType(ALICE, HOST, WRITE, TOPIC));
    assertFalse(authorizer(allow(TOPIC, "t", LITERAL, WRITE)).authorizeAnyOfType(BOB, HOST, WRITE, TOPIC));
  }

  @Test
  void authorizedOperationsListsWhatIsAllowedOfTheTypesOperations() {
    Authorizer authorizer = authorizer(allow(TOPIC, "t", LITERAL, WRITE), allow(GROUP, "g", LITERAL, READ),
        allow(TRANSACTIONAL_ID, "tx", LITERAL, ALL));
    assertEquals(EnumSet.of(WRITE, DESCRIBE), authorizer.authorizedOperations(ALICE, HOST, TOPIC, "t"));
    assertEquals(EnumSet.of(READ, DESCRIBE), authorizer.authorizedOperations(ALICE, HOST, GROUP, "g"));
    assertEquals(EnumSet.of(WRITE, DESCRIBE), authorizer.authorizedOperations(ALICE, HOST, TRANSACTIONAL_ID, "tx"));
    assertTrue(authorizer.authorizedOperations(ALICE, HOST, CLUSTER, "kafka-cluster").isEmpty());
  }
}
