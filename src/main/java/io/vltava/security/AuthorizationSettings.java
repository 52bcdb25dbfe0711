package io.vltava.security;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.utils.SecurityUtils;

/**
 * Whether requests are authorized against ACLs, who is exempt, and what happens to a resource no
 * ACL names; read from {@code vltava.authorization}.
 *
 * @param superUsers principals ("User:alice") allowed everything, as Kafka's {@code super.users}
 */
public record AuthorizationSettings(boolean enabled, Set<String> superUsers, boolean allowEveryoneIfNoAclFound) {

  /** Authorization off: every request is allowed, as before ACLs existed. */
  public static final AuthorizationSettings OFF = new AuthorizationSettings(false, Set.of(), false);

  public AuthorizationSettings {
    superUsers = Set.copyOf(superUsers);
  }

  public static AuthorizationSettings fromConfig(Config authorization) {
    return new AuthorizationSettings(
        authorization.getBoolean("enabled"),
        parseSuperUsers(authorization.getString("super.users")),
        authorization.getBoolean("allow.everyone.if.no.acl.found"));
  }

  /** Kafka's format: principals separated by semicolons, each "Type:name". */
  public static Set<String> parseSuperUsers(String value) {
    return Arrays.stream(value.split(";"))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .map(s -> {
          try {
            return SecurityUtils.parseKafkaPrincipal(s).toString();
          } catch (IllegalArgumentException e) {
            throw new ConfigException.BadValue("vltava.authorization.super.users",
                "'" + s + "' is not a principal of the form Type:name (e.g. User:admin); separate principals with ';'");
          }
        })
        .collect(Collectors.toUnmodifiableSet());
  }
}
