package io.vltava.kafka;

import io.vltava.replica.RecordsForm;
import java.net.InetAddress;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Who asks, and how: a request's header with its connection's identity. Handlers authorize and
 * answer from it; the listener fills the identity once the connection has authenticated. The
 * records form says whether the connection's transport sends fetched records from the segment
 * files (sendfile) or needs them in memory.
 */
public record RequestContext(RequestHeader header, ConnectionIdentity connection, RecordsForm recordsForm) {

  /** What a connection is known as once accepted (and, with SASL or TLS, authenticated). */
  public record ConnectionIdentity(
      KafkaPrincipal principal, String listenerName, SecurityProtocol securityProtocol, InetAddress clientAddress) {

    /** A plaintext connection: everyone is {@code User:ANONYMOUS}, as in Kafka. */
    public static ConnectionIdentity plaintext(String listenerName, InetAddress clientAddress) {
      return new ConnectionIdentity(KafkaPrincipal.ANONYMOUS, listenerName, SecurityProtocol.PLAINTEXT, clientAddress);
    }
  }

  public short apiVersion() {
    return header.apiVersion();
  }

  public String clientId() {
    return header.clientId();
  }

  public KafkaPrincipal principal() {
    return connection.principal();
  }
}
