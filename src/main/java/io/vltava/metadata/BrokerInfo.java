package io.vltava.metadata;

/** A live broker as clients see it: its stable node id and its Kafka endpoint. */
public record BrokerInfo(int nodeId, String host, int port) {}
