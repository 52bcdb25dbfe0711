package io.vltava.security;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

/**
 * SASL settings of the SASL listeners ({@code vltava.sasl}): the mechanisms offered, the bound on
 * requests before authentication, PLAIN's configured users, the SCRAM credentials a new cluster
 * starts with, and how OAUTHBEARER tokens are validated. Passwords are kept out of {@link #toString()}.
 */
public record SaslSettings(
    List<String> enabledMechanisms, int maxReceiveBytes, Map<String, byte[]> plainUsers, List<BootstrapCredential> scramBootstrap,
    OAuthBearerSettings oauthBearer) {

  public static final String PLAIN = "PLAIN";
  public static final String OAUTHBEARER = "OAUTHBEARER";

  /** A SCRAM credential for a new cluster, given with its password as kafka-storage's --add-scram takes it. */
  public record BootstrapCredential(String mechanism, String user, String password, int iterations) {
    @Override
    public String toString() {
      return mechanism + " credential of " + user;
    }
  }

  /** Kafka's --add-scram form: MECHANISM=[name=...,password=...(,iterations=N)]. */
  private static final Pattern BOOTSTRAP = Pattern.compile("(SCRAM-SHA-(?:256|512))=\\[(.*)]");
  private static final int DEFAULT_ITERATIONS = 4096;

  public SaslSettings {
    enabledMechanisms = List.copyOf(enabledMechanisms);
    plainUsers = Map.copyOf(plainUsers);
    scramBootstrap = List.copyOf(scramBootstrap);
  }

  public static SaslSettings fromConfig(Config sasl) {
    List<String> mechanisms = sasl.getStringList("enabled.mechanisms");
    for (String mechanism : mechanisms) {
      if (!mechanism.equals(PLAIN) && !mechanism.equals(OAUTHBEARER) && !ScramMechanism.isScram(mechanism)) {
        throw new ConfigException.BadValue("vltava.sasl.enabled.mechanisms",
            mechanism + " is not supported; use PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER");
      }
    }
    OAuthBearerSettings oauthBearer = OAuthBearerSettings.fromConfig(sasl.getConfig("oauthbearer"), mechanisms.contains(OAUTHBEARER));
    Map<String, byte[]> plainUsers = new LinkedHashMap<>();
    for (Config user : sasl.getConfigList("plain.users")) {
      if (!user.hasPath("name") || !user.hasPath("password")) {
        throw new ConfigException.BadValue("vltava.sasl.plain.users", "each user needs a name and a password");
      }
      plainUsers.put(user.getString("name"), user.getString("password").getBytes(StandardCharsets.UTF_8));
    }
    List<BootstrapCredential> bootstrap = new ArrayList<>();
    for (String entry : sasl.getStringList("scram.bootstrap.credentials")) {
      bootstrap.add(parseBootstrap(entry));
    }
    int maxReceive = sasl.getInt("server.max.receive.size");
    if (maxReceive <= 0) {
      throw new ConfigException.BadValue("vltava.sasl.server.max.receive.size", "must be positive");
    }
    return new SaslSettings(mechanisms, maxReceive, plainUsers, bootstrap, oauthBearer);
  }

  private static BootstrapCredential parseBootstrap(String entry) {
    Matcher matcher = BOOTSTRAP.matcher(entry.trim());
    if (!matcher.matches()) {
      // The entry holds a password: the message shows only its shape.
      throw new ConfigException.BadValue("vltava.sasl.scram.bootstrap.credentials",
          "an entry is not SCRAM-SHA-256=[name=...,password=...] or SCRAM-SHA-512=[...]");
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (String field : matcher.group(2).split(",")) {
      int equals = field.indexOf('=');
      if (equals > 0) {
        fields.put(field.substring(0, equals).trim(), field.substring(equals + 1).trim());
      }
    }
    String name = fields.get("name");
    String password = fields.get("password");
    if (name == null || name.isEmpty() || password == null || password.isEmpty()) {
      throw new ConfigException.BadValue("vltava.sasl.scram.bootstrap.credentials", "each entry needs a name and a password");
    }
    ScramMechanism mechanism = ScramMechanism.forMechanismName(matcher.group(1));
    int iterations = fields.containsKey("iterations") ? Integer.parseInt(fields.get("iterations")) : DEFAULT_ITERATIONS;
    if (iterations < mechanism.minIterations() || iterations > mechanism.maxIterations()) {
      throw new ConfigException.BadValue("vltava.sasl.scram.bootstrap.credentials",
          "iterations must be in " + mechanism.minIterations() + ".." + mechanism.maxIterations());
    }
    return new BootstrapCredential(matcher.group(1), unquote(name), unquote(password), iterations);
  }

  private static String unquote(String value) {
    return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"") ? value.substring(1, value.length() - 1) : value;
  }

  @Override
  public String toString() {
    return "SaslSettings[mechanisms=" + enabledMechanisms + ", maxReceiveBytes=" + maxReceiveBytes
        + ", plainUsers=" + plainUsers.keySet() + ", scramBootstrap=" + scramBootstrap + ", oauthBearer=" + oauthBearer + "]";
  }
}
