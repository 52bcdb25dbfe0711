package io.vltava.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.vltava.node.NodeSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;

/** Kafka's listener settings read into named listeners, and the mistakes that stop start-up. */
class ListenersTest {

  private static Listeners read(Map<String, Object> settings) {
    return Listeners.fromConfig(NodeSettings.load(ConfigFactory.parseMap(settings)).getConfig("vltava"));
  }

  @Test
  void theSimpleFormIsOnePlaintextListener() {
    Listeners listeners = read(Map.of("vltava.listener.host", "0.0.0.0", "vltava.listener.port", 9093,
        "vltava.listener.advertised-host", "broker-1.example"));
    assertEquals(List.of(new NamedListener("PLAINTEXT", SecurityProtocol.PLAINTEXT, "0.0.0.0", 9093, "broker-1.example", 0)),
        listeners.all());
    assertEquals("PLAINTEXT", listeners.interBrokerListenerName());
  }

  @Test
  void kafkasSettingsNameProtocolsBindAndAdvertisedAddresses() {
    Map<String, Object> settings = new HashMap<>();
    settings.put("vltava.listeners", "CLIENTS://:9094, internal://10.0.0.5:9095,PLAINTEXT://127.0.0.1:0");
    settings.put("vltava.advertised.listeners", "CLIENTS://broker-1.example:19094");
    settings.put("vltava.listener.security.protocol.map", "CLIENTS:SASL_SSL,INTERNAL:SSL");
    settings.put("vltava.inter.broker.listener.name", "INTERNAL");
    Listeners listeners = read(settings);
    assertEquals(List.of(
        new NamedListener("CLIENTS", SecurityProtocol.SASL_SSL, "0.0.0.0", 9094, "broker-1.example", 19094),
        new NamedListener("INTERNAL", SecurityProtocol.SSL, "10.0.0.5", 9095, "10.0.0.5", 0),
        new NamedListener("PLAINTEXT", SecurityProtocol.PLAINTEXT, "127.0.0.1", 0, "127.0.0.1", 0)), listeners.all());
    assertEquals(SecurityProtocol.SSL, listeners.interBroker().securityProtocol());
  }

  @Test
  void theFirstListenerCarriesFollowersUnlessNamedOtherwise() {
    assertEquals("SSL", read(Map.of("vltava.listeners", "SSL://127.0.0.1:0,PLAINTEXT://127.0.0.1:0")).interBrokerListenerName());
  }

  @Test
  void mistakesNameTheirSetting() {
    assertRefused(Map.of("vltava.listeners", "CLIENTS://127.0.0.1:9094"), "vltava.listener.security.protocol.map");
    assertRefused(Map.of("vltava.listeners", "PLAINTEXT://127.0.0.1:9092", "vltava.advertised.listeners", "SSL://a:1"),
        "vltava.advertised.listeners");
    assertRefused(Map.of("vltava.listeners", "PLAINTEXT://127.0.0.1:9092", "vltava.inter.broker.listener.name", "SSL"),
        "vltava.listeners");
    assertRefused(Map.of("vltava.listeners", "PLAINTEXT://127.0.0.1:9092,PLAINTEXT://127.0.0.1:9093"), "vltava.listeners");
    assertRefused(Map.of("vltava.listeners", "PLAINTEXT://127.0.0.1"), "vltava.listeners");
    assertRefused(Map.of("vltava.listeners", "PLAINTEXT://127.0.0.1:70000"), "vltava.listeners");
    assertRefused(Map.of("vltava.listeners", "X://127.0.0.1:1", "vltava.listener.security.protocol.map", "X:TLS"),
        "vltava.listener.security.protocol.map");
  }

  private static void assertRefused(Map<String, Object> settings, String setting) {
    ConfigException refused = assertThrows(ConfigException.class, () -> read(settings));
    assertTrue(refused.getMessage().contains(setting), refused.getMessage());
  }
}
