package io.vltava.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ListenerSettingsTest {

  private static Config listenerSection(String overrides) {
    return ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.defaultReference())
        .getConfig("vltava.listener");
  }

  @Test
  void readsTheDefaultsAndFallsBackToTheBindHostForAdvertising() {
    assertEquals(
        new ListenerSettings("127.0.0.1", 9092, "127.0.0.1", 104857600, Duration.ofMinutes(10), 16).withPlaintextZeroCopy(true),
        ListenerSettings.fromConfig(listenerSection("")));
  }

  @Test
  void readsOverrides() {
    ListenerSettings settings =
        ListenerSettings.fromConfig(
            listenerSection(
                """
                vltava.listener {
                  host = "0.0.0.0"
                  port = 0
                  advertised-host = "broker-1.example"
                  socket.request.max.bytes = 1024
                  connections.max.idle.ms = 250
                  max-in-flight-per-connection = 1
                  plaintext-zero-copy = off
                }
                """));
    assertEquals(
        new ListenerSettings("0.0.0.0", 0, "broker-1.example", 1024, Duration.ofMillis(250), 1),
        settings);
  }

  @Test
  void rejectsAFrameLimitThatCannotIncludeTheLengthField() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new ListenerSettings(
                "127.0.0.1", 0, "127.0.0.1", Integer.MAX_VALUE, Duration.ofSeconds(1), 1));
  }
}
