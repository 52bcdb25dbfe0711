package io.vltava.replica;

import org.apache.kafka.common.protocol.Errors;

/**
 * The offset a ListOffsets lookup found in a partition this node leads, with the record's timestamp
 * (-1 when the lookup is not by time) and the leader epoch; offset -1 when no committed record
 * matches. On error every value is -1.
 */
public record ListedOffset(Errors error, long offset, long timestampMs, int leaderEpoch) {

  static ListedOffset failed(Errors error) {
    return new ListedOffset(error, -1, -1, -1);
  }
}
