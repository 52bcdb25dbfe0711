package io.vltava.replica;

import javax.net.SocketFactory;

/**
 * How followers reach leaders: the listener they connect to on the leader (Kafka's
 * inter.broker.listener.name) and the sockets its security protocol needs (plain or TLS).
 */
public record InterBrokerListener(String listenerName, SocketFactory sockets) {

  public static InterBrokerListener plaintext(String listenerName) {
    return new InterBrokerListener(listenerName, SocketFactory.getDefault());
  }
}
