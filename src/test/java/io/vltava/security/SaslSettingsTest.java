package io.vltava.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.vltava.metadata.ScramCredentials;
import io.vltava.node.NodeSettings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** vltava.sasl read from HOCON: mechanisms, PLAIN users, bootstrap SCRAM credentials; secrets stay out of messages. */
class SaslSettingsTest {

  private static SaslSettings read(Map<String, Object> settings) {
    return SaslSettings.fromConfig(NodeSettings.load(ConfigFactory.parseMap(settings)).getConfig("vltava.sasl"));
  }

  @Test
  void bootstrapCredentialsUseKafkaStoragesForm() {
    SaslSettings sasl = read(Map.of("vltava.sasl.scram.bootstrap.credentials", List.of(
        "SCRAM-SHA-512=[name=admin,password=admin-secret]", "SCRAM-SHA-256=[name=\"bob\",password=\"bob-secret\",iterations=8192]")));
    assertEquals(List.of(new SaslSettings.BootstrapCredential("SCRAM-SHA-512", "admin", "admin-secret", 4096),
        new SaslSettings.BootstrapCredential("SCRAM-SHA-256", "bob", "bob-secret", 8192)), sasl.scramBootstrap());
    assertFalse(sasl.toString().contains("admin-secret"), sasl.toString());
  }

  @Test
  void aStoredCredentialDerivedFromAPasswordAuthenticatesWithIt() throws Exception {
    ScramCredentials.Stored stored = ScramCredentialFormat.fromPassword("SCRAM-SHA-256", "pw", 4096);
    var formatter = new org.apache.kafka.common.security.scram.internals.ScramFormatter(
        org.apache.kafka.common.security.scram.internals.ScramMechanism.SCRAM_SHA_256);
    var credential = ScramCredentialFormat.toKafka(stored);
    byte[] salted = formatter.saltedPassword("pw", credential.salt(), 4096);
    assertEquals(java.util.Base64.getEncoder().encodeToString(formatter.storedKey(formatter.clientKey(salted))), stored.storedKeyBase64());
  }

  @Test
  void mistakesAreRefusedWithoutShowingThePassword() {
    ConfigException badEntry = assertThrows(ConfigException.class,
        () -> read(Map.of("vltava.sasl.scram.bootstrap.credentials", List.of("SCRAM-SHA-1=[name=a,password=hunter2]"))));
    assertFalse(badEntry.getMessage().contains("hunter2"), badEntry.getMessage());
    ConfigException mechanism = assertThrows(ConfigException.class,
        () -> read(Map.of("vltava.sasl.enabled.mechanisms", List.of("GSSAPI"))));
    assertTrue(mechanism.getMessage().contains("vltava.sasl.enabled.mechanisms"), mechanism.getMessage());
    assertThrows(ConfigException.class, () -> read(Map.of("vltava.sasl.plain.users", List.of(Map.of("name", "a")))));
  }

  @Test
  void oauthBearerWithoutAJwksRefusesToStart() {
    ConfigException noJwks = assertThrows(ConfigException.class,
        () -> read(Map.of("vltava.sasl.enabled.mechanisms", List.of("OAUTHBEARER"))));
    assertTrue(noJwks.getMessage().contains("vltava.sasl.oauthbearer.jwks.endpoint.url"), noJwks.getMessage());
    ConfigException badScheme = assertThrows(ConfigException.class, () -> read(Map.of(
        "vltava.sasl.enabled.mechanisms", List.of("OAUTHBEARER"), "vltava.sasl.oauthbearer.jwks.endpoint.url", "ftp://idp/jwks")));
    assertTrue(badScheme.getMessage().contains("https:, http: or file:"), badScheme.getMessage());
  }

  @Test
  void oauthBearerSettingsReachKafkasValidatorUnderKafkasNames() {
    SaslSettings sasl = read(Map.of(
        "vltava.sasl.enabled.mechanisms", List.of("OAUTHBEARER", "SCRAM-SHA-512"),
        "vltava.sasl.oauthbearer.jwks.endpoint.url", "https://idp.example.com/jwks",
        "vltava.sasl.oauthbearer.expected.audience", List.of("vltava"),
        "vltava.sasl.oauthbearer.expected.issuer", "https://idp.example.com",
        "vltava.sasl.oauthbearer.sub.claim.name", "client_id",
        "vltava.sasl.oauthbearer.clock.skew.seconds", 5));
    Map<String, ?> kafka = sasl.oauthBearer().kafkaConfigs();
    assertEquals("https://idp.example.com/jwks", kafka.get("sasl.oauthbearer.jwks.endpoint.url"));
    assertEquals(List.of("vltava"), kafka.get("sasl.oauthbearer.expected.audience"));
    assertEquals("https://idp.example.com", kafka.get("sasl.oauthbearer.expected.issuer"));
    assertEquals("client_id", kafka.get("sasl.oauthbearer.sub.claim.name"));
    assertEquals("scope", kafka.get("sasl.oauthbearer.scope.claim.name"));
    assertEquals(5, kafka.get("sasl.oauthbearer.clock.skew.seconds"));
    assertEquals(3_600_000L, kafka.get("sasl.oauthbearer.jwks.endpoint.refresh.ms"));
  }
}
