package io.vltava.replica;

import io.vltava.log.LogAppendInfo;
import org.apache.kafka.common.protocol.Errors;

/** One partition's answer to a produce: the offsets assigned, or a Kafka error with its message. Crosses nodes when it answers a {@link PartitionLeader}. */
public record AppendOutcome(Errors error, String errorMessage, LogAppendInfo info) implements io.vltava.metadata.CborSerializable {

  public static AppendOutcome ok(LogAppendInfo info) {
    return new AppendOutcome(Errors.NONE, null, info);
  }

  public static AppendOutcome failed(Errors error, String message) {
    return new AppendOutcome(error, message, null);
  }

  public static AppendOutcome failed(Throwable cause) {
    return failed(Errors.forException(cause), cause.getMessage());
  }
}
