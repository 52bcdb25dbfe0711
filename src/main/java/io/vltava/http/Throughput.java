package io.vltava.http;

/**
 * The node's cumulative traffic at {@code atMs}, summed over topics: records and bytes appended as
 * leader, records and bytes sent to consumers.
 */
public record Throughput(long atMs, double messagesIn, double bytesIn, double messagesOut, double bytesOut) {}
