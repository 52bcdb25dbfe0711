package io.vltava.kafka;

import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * One Kafka listener of a node: its name, security protocol, where it binds, and what it tells
 * clients. An {@code advertisedPort} of 0 stands for the port the listener is bound to.
 */
public record NamedListener(
    String name, SecurityProtocol securityProtocol, String host, int port, String advertisedHost, int advertisedPort) {

  public NamedListener {
    if (port < 0 || port > 65535 || advertisedPort < 0 || advertisedPort > 65535) {
      throw new IllegalArgumentException("listener " + name + ": ports must be in 0..65535");
    }
  }

  public boolean usesTls() {
    return securityProtocol == SecurityProtocol.SSL || securityProtocol == SecurityProtocol.SASL_SSL;
  }

  public boolean usesSasl() {
    return securityProtocol == SecurityProtocol.SASL_PLAINTEXT || securityProtocol == SecurityProtocol.SASL_SSL;
  }
}
