package io.vltava.group;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/** The durable part of a group: its committed offsets. Immutable; each event gives a new value. */
public record GroupOffsets(Map<CommittedOffset.PartitionKey, CommittedOffset> byPartition) {

  public static final GroupOffsets EMPTY = new GroupOffsets(Map.of());

  public GroupOffsets {
    byPartition = Map.copyOf(byPartition);
  }

  GroupOffsets committed(Collection<CommittedOffset> offsets) {
    Map<CommittedOffset.PartitionKey, CommittedOffset> next = new HashMap<>(byPartition);
    offsets.forEach(offset -> next.put(offset.key(), offset));
    return new GroupOffsets(next);
  }

  GroupOffsets deleted(Collection<CommittedOffset.PartitionKey> partitions) {
    Map<CommittedOffset.PartitionKey, CommittedOffset> next = new HashMap<>(byPartition);
    partitions.forEach(next::remove);
    return new GroupOffsets(next);
  }

  public boolean isEmpty() {
    return byPartition.isEmpty();
  }
}
