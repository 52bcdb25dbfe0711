package io.vltava.group;

import io.vltava.metadata.CborSerializable;

/** A group's committed position in one partition; {@code leaderEpoch} -1 when the client gave none. */
public record CommittedOffset(
    String topic, int partition, long offset, int leaderEpoch, String metadata, long commitTimestampMs)
    implements CborSerializable {

  public PartitionKey key() {
    return new PartitionKey(topic, partition);
  }

  /** A topic partition as coordinator messages carry it (kafka-clients' TopicPartition is not a record). */
  public record PartitionKey(String topic, int partition) implements CborSerializable {}
}
