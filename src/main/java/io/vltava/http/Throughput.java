package io.vltava.http;

/** The node's cumulative traffic at {@code atMs}, summed over topics: records and bytes appended as leader, bytes sent to consumers. */
public record Throughput(long atMs, double messagesIn, double bytesIn, double bytesOut) {}
