package io.vltava.log;

/**
 * An idempotent producer with batches in a log: its id and epoch, and the last sequence and max
 * timestamp of its newest batch.
 */
public record ActiveProducer(long producerId, short producerEpoch, int lastSequence, long lastTimestampMs) {}
