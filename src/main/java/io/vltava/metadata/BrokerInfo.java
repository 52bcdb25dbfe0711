package io.vltava.metadata;

import java.util.List;
import java.util.Optional;

/**
 * A live broker: its stable node id, the Kafka endpoint it advertises on each of its listeners, and
 * the Pekko cluster address of its node, by which the controller recognises it in membership events.
 * A client is told the endpoints of the listener it connected on, as Kafka does.
 */
public record BrokerInfo(int nodeId, List<Endpoint> endpoints, String clusterAddress) implements CborSerializable {

  /** Where clients of the listener named {@code listenerName} reach this broker. */
  public record Endpoint(String listenerName, String host, int port) implements CborSerializable {}

  public BrokerInfo {
    // States stored before listeners had names carry none; the broker registers again at start.
    endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
  }

  /** A broker with one listener, named PLAINTEXT as Kafka's default is. */
  public BrokerInfo(int nodeId, String host, int port, String clusterAddress) {
    this(nodeId, List.of(new Endpoint("PLAINTEXT", host, port)), clusterAddress);
  }

  public Optional<Endpoint> endpoint(String listenerName) {
    return endpoints.stream().filter(e -> e.listenerName().equals(listenerName)).findFirst();
  }
}
