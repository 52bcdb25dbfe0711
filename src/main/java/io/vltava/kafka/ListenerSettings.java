package io.vltava.kafka;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings every Kafka listener shares, read from {@code vltava.listener} in reference.conf; its
 * host, port and advertised host are the simple form's one listener (see {@link Listeners}).
 */
public record ListenerSettings(
    String host,
    int port,
    String advertisedHost,
    int socketRequestMaxBytes,
    Duration connectionsMaxIdle,
    int maxInFlightPerConnection,
    Duration authenticationTimeout,
    Duration failedAuthenticationDelay,
    Duration connectionsMaxReauth,
    boolean plaintextZeroCopy) {

  /** Kafka's defaults for the authentication settings; PLAINTEXT listeners on Pekko Streams TCP. */
  public ListenerSettings(String host, int port, String advertisedHost, int socketRequestMaxBytes,
      Duration connectionsMaxIdle, int maxInFlightPerConnection) {
    this(host, port, advertisedHost, socketRequestMaxBytes, connectionsMaxIdle, maxInFlightPerConnection,
        Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ZERO, false);
  }

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
    if (authenticationTimeout.isNegative() || authenticationTimeout.isZero()) {
      throw new IllegalArgumentException("authentication.timeout.ms must be positive");
    }
    if (failedAuthenticationDelay.isNegative() || connectionsMaxReauth.isNegative()) {
      throw new IllegalArgumentException(
          "connection.failed.authentication.delay.ms and connections.max.reauth.ms must not be negative");
    }
  }

  /** These settings with PLAINTEXT listeners on the zero-copy transport ({@link NioTransport}) or not. */
  public ListenerSettings withPlaintextZeroCopy(boolean zeroCopy) {
    return new ListenerSettings(host, port, advertisedHost, socketRequestMaxBytes, connectionsMaxIdle,
        maxInFlightPerConnection, authenticationTimeout, failedAuthenticationDelay, connectionsMaxReauth, zeroCopy);
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
        c.getInt("max-in-flight-per-connection"),
        Duration.ofMillis(c.getLong("authentication.timeout.ms")),
        Duration.ofMillis(c.getLong("connection.failed.authentication.delay.ms")),
        Duration.ofMillis(c.getLong("connections.max.reauth.ms")),
        c.getBoolean("plaintext-zero-copy"));
  }
}
