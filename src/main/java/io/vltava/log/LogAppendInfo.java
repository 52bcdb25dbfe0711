package io.vltava.log;

/**
 * What an append did: the offsets it assigned, and the time it stamped when the log uses
 * LogAppendTime (-1 otherwise). A duplicate of a recent idempotent batch returns the offsets
 * of the original and writes nothing.
 */
public record LogAppendInfo(
    long firstOffset, long lastOffset, long logAppendTimeMs, long logStartOffset, boolean duplicate) {}
