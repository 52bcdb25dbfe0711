package io.vltava.replica;

import io.vltava.security.InterBrokerSasl;
import java.util.Optional;
import javax.net.SocketFactory;

/**
 * How followers reach leaders: the listener they connect to on the leader (Kafka's
 * inter.broker.listener.name), the sockets its security protocol needs (plain or TLS), and, on a
 * SASL listener, how this node authenticates.
 */
public record InterBrokerListener(String listenerName, SocketFactory sockets, Optional<InterBrokerSasl> sasl) {}
