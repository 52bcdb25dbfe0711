package io.vltava.metadata;

/**
 * A live broker: its stable node id, the Kafka endpoint clients use, and the Pekko cluster address
 * of its node, by which the controller recognises it in membership events.
 */
public record BrokerInfo(int nodeId, String host, int port, String clusterAddress) {}
