package io.vltava.replica;

import io.vltava.log.LeaderEpochCache;
import org.apache.kafka.common.protocol.Errors;

/**
 * Where a leader epoch ends in the leader's log: the largest epoch at most the one asked, and the
 * offset where the next began (the log end offset for the latest). Undefined (-1, -1) when the log
 * knows no such epoch, and on error.
 */
public record EpochEnd(Errors error, int leaderEpoch, long endOffset) {

  static EpochEnd failed(Errors error) {
    return new EpochEnd(error, LeaderEpochCache.UNDEFINED_EPOCH, LeaderEpochCache.UNDEFINED_EPOCH_OFFSET);
  }
}
