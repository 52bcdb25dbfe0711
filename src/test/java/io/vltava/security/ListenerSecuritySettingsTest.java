package io.vltava.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.vltava.node.NodeSettings;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;

/**
 * Kafka's per-listener security settings read from HOCON: listener.name.<listener>.ssl.* over ssl.*,
 * the follower's SASL mechanism and JAAS credentials, and ssl.principal.mapping.rules. Secrets stay
 * out of messages and toString.
 */
class ListenerSecuritySettingsTest {

  private static final String SCRAM_JAAS =
      "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"broker\" password=\"broker-secret\";";

  /** Two listeners, EXTERNAL (SASL_SSL) and INTERNAL (SASL_SSL, followers), over these settings. */
  private static NodeSettings read(Map<String, Object> settings) {
    Map<String, Object> all = new HashMap<>(Map.of(
        "vltava.listeners", "EXTERNAL://127.0.0.1:0,INTERNAL://127.0.0.1:0",
        "vltava.listener.security.protocol.map", "EXTERNAL:SASL_SSL,INTERNAL:SASL_SSL",
        "vltava.inter.broker.listener.name", "INTERNAL",
        "vltava.sasl.jaas.config", SCRAM_JAAS));
    all.putAll(settings);
    return NodeSettings.from(NodeSettings.load(ConfigFactory.parseMap(all)));
  }

  @Test
  void aListenersSslSettingsOverrideThePlainOnesForThatListenerOnly() {
    NodeSettings settings = read(Map.of(
        "vltava.ssl.keystore.location", "/stores/node.p12",
        "vltava.ssl.truststore.location", "/stores/ca.p12",
        "vltava.listener.name.internal.ssl.client.auth", "required",
        "vltava.listener.name.internal.ssl.keystore.location", "/stores/internal.p12"));
    SslSettings internal = settings.ssl("INTERNAL");
    assertEquals(SslSettings.ClientAuth.REQUIRED, internal.clientAuth());
    assertEquals("/stores/internal.p12", internal.keystoreLocation());
    assertEquals("/stores/ca.p12", internal.truststoreLocation());
    assertEquals("vltava.listener.name.internal.ssl", internal.path());
    SslSettings external = settings.ssl("EXTERNAL");
    assertEquals(SslSettings.ClientAuth.NONE, external.clientAuth());
    assertEquals("/stores/node.p12", external.keystoreLocation());
    assertEquals("vltava.ssl", external.path());
  }

  @Test
  void perListenerSettingsAreCheckedLikeAnyOther() {
    ConfigException misspelt = assertThrows(ConfigException.class,
        () -> read(Map.of("vltava.listener.name.internal.ssl.keystore.locaton", "/x")));
    assertTrue(misspelt.getMessage().contains("vltava.listener.name.internal.ssl.keystore.locaton"), misspelt.getMessage());
    ConfigException noListener = assertThrows(ConfigException.class,
        () -> read(Map.of("vltava.listener.name.INTERNAL.ssl.client.auth", "required")));
    assertTrue(noListener.getMessage().contains("vltava.listener.name.INTERNAL"), noListener.getMessage());
    ConfigException badValue = assertThrows(ConfigException.class,
        () -> read(Map.of("vltava.listener.name.internal.ssl.client.auth", "always")));
    assertTrue(badValue.getMessage().contains("vltava.listener.name.internal.ssl.client.auth"), badValue.getMessage());
  }

  @Test
  void theListenersJaasEntryWinsOverThePlainOne() {
    NodeSettings settings = read(Map.of(
        "vltava.sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-256",
        "vltava.listener.name.internal.scram-sha-256.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"node-2\" password=\"n2-secret\";"));
    assertEquals(Optional.of(new InterBrokerSasl("SCRAM-SHA-256", "node-2", "n2-secret")), settings.interBrokerSasl());
    assertFalse(settings.interBrokerSasl().orElseThrow().toString().contains("n2-secret"));
  }

  @Test
  void withoutAListenerEntryThePlainJaasConfigAndTheFirstEnabledMechanismApply() {
    NodeSettings settings = read(Map.of(
        "vltava.sasl.enabled.mechanisms", java.util.List.of("PLAIN"),
        "vltava.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"broker\" password=\"plain-secret\";"));
    assertEquals(Optional.of(new InterBrokerSasl("PLAIN", "broker", "plain-secret")), settings.interBrokerSasl());
  }

  @Test
  void aPlaintextInterBrokerListenerNeedsNoCredentials() {
    NodeSettings settings = read(Map.of(
        "vltava.listener.security.protocol.map", "EXTERNAL:SASL_SSL,INTERNAL:PLAINTEXT",
        "vltava.sasl.jaas.config", ""));
    assertEquals(Optional.empty(), settings.interBrokerSasl());
  }

  @Test
  void badCredentialsSettingsNameTheSettingAndNeverThePassword() {
    ConfigException unterminated = assertThrows(ConfigException.class, () -> read(Map.of(
        "vltava.listener.name.internal.scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"broker\" password=\"hunter2\"")));
    assertTrue(unterminated.getMessage().contains("vltava.listener.name.internal.scram-sha-512.sasl.jaas.config"),
        unterminated.getMessage());
    assertFalse(unterminated.getMessage().contains("hunter2"), unterminated.getMessage());
    ConfigException noPassword = assertThrows(ConfigException.class, () -> read(Map.of(
        "vltava.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"broker\";")));
    assertTrue(noPassword.getMessage().contains("vltava.sasl.jaas.config"), noPassword.getMessage());
    ConfigException none = assertThrows(ConfigException.class, () -> read(Map.of("vltava.sasl.jaas.config", "")));
    assertTrue(none.getMessage().contains("scram-sha-512.sasl.jaas.config"), none.getMessage());
    ConfigException mechanism = assertThrows(ConfigException.class,
        () -> read(Map.of("vltava.sasl.mechanism.inter.broker.protocol", "GSSAPI")));
    assertTrue(mechanism.getMessage().contains("vltava.sasl.mechanism.inter.broker.protocol"), mechanism.getMessage());
  }

  @Test
  void principalMappingRulesMapACertificateSubjectAsKafkaDoes() throws Exception {
    NodeSettings settings = read(Map.of(
        "vltava.ssl.principal.mapping.rules", "RULE:^CN=([^,]+),OU=Brokers,.*$/broker-$1/L,RULE:^CN=([^,]+),.*$/$1/,DEFAULT",
        "vltava.listener.name.internal.ssl.principal.mapping.rules", "RULE:^CN=([^,]+),.*$/$1/U"));
    SslSettings external = settings.ssl("EXTERNAL");
    assertEquals("broker-node-1", external.principalName(new X500Principal("CN=Node-1,OU=Brokers,O=Example")));
    assertEquals("alice", external.principalName(new X500Principal("CN=alice,O=Example")));
    assertEquals("O=Example", external.principalName(new X500Principal("O=Example")));
    SslSettings internal = settings.ssl("INTERNAL");
    assertEquals("NODE-1", internal.principalName(new X500Principal("CN=Node-1,OU=Brokers,O=Example")));
    assertThrows(SSLPeerUnverifiedException.class, () -> internal.principalName(new X500Principal("O=Example")));
    ConfigException badRules = assertThrows(ConfigException.class,
        () -> read(Map.of("vltava.ssl.principal.mapping.rules", "RULE:^CN=(.*)$")));
    assertTrue(badRules.getMessage().contains("vltava.ssl.principal.mapping.rules"), badRules.getMessage());
  }
}
