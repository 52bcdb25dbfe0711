package io.vltava.kafka;

import com.typesafe.config.Config;
import java.time.Duration;

/** The Kafka listener's settings, read from {@code vltava.listener} in reference.conf. */
public record ListenerSettings(
    String host,
    int port,
    String advertisedHost,
    int socketRequestMaxBytes,
    Duration connectionsMaxIdle,
    int maxInFlightPerConnection) {

  public ListenerSettings {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535, was " + port);
    }
    // The framing limit counts the 4-byte length field too, so it must still fit in an int.
    if (socketRequestMaxBytes <= 0 || socketRequestMaxBytes > Integer.MAX_VALUE - Integer.BYTES) {
      throw new IllegalArgumentException(
          "socket.request.max.bytes must be in 1.." + (Integer.MAX_VALUE - Integer.BYTES));
    }
    if (connectionsMaxIdle.isNegative() || connectionsMaxIdle.isZero()) {
      throw new IllegalArgumentException("connections.max.idle.ms must be positive");
    }
    if (maxInFlightPerConnection < 1) {
      throw new IllegalArgumentException("max-in-flight-per-connection must be at least 1");
    }
  }

  /** Reads the {@code vltava.listener} section; an empty advertised-host means the bind host. */
  public static ListenerSettings fromConfig(Config vltavaListenerSection) {
    Config c = vltavaListenerSection;
    String host = c.getString("host");
    String advertisedHost = c.getString("advertised-host");
    return new ListenerSettings(
        host,
        c.getInt("port"),
        advertisedHost.isEmpty() ? host : advertisedHost,
        c.getInt("socket.request.max.bytes"),
        Duration.ofMillis(c.getLong("connections.max.idle.ms")),
        c.getInt("max-in-flight-per-connection"));
  }
}
