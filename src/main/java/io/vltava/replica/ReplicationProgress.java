package io.vltava.replica;

/**
 * What a node's long replication operations have done so far, for logs, metrics and the console:
 * the start-up recovery of its partition logs, and the followers catching up with the partitions it
 * leads (after lagging, restarting or being added by a reassignment).
 */
public record ReplicationProgress(LogRecoveryProgress recovery, CatchUpProgress catchUp) {}
