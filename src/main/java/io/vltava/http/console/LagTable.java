package io.vltava.http.console;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;

/**
 * A consumer group's position in each partition it has committed in or is assigned: committed
 * offset, the partition's end offset (its high watermark) and the lag between them, never below
 * 0 (a commit can run ahead of the end a client last saw). A partition without a commit has no lag
 * yet; one whose end is unknown has no lag either.
 */
record LagTable(List<Row> rows, long totalLag) {

  /** {@code committedOffset}, {@code endOffset} and {@code lag} are null when unknown; {@code owner} is the assigned member's client id. */
  record Row(String topic, int partition, Long committedOffset, Long endOffset, Long lag, String owner) {}

  static LagTable of(Map<TopicPartition, Long> committed, Map<TopicPartition, Long> endOffsets, Map<TopicPartition, String> owners) {
    Set<TopicPartition> partitions = new TreeSet<>(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
    partitions.addAll(committed.keySet());
    partitions.addAll(owners.keySet());
    List<Row> rows = new ArrayList<>();
    long total = 0;
    for (TopicPartition partition : partitions) {
      Long offset = committed.get(partition);
      Long end = endOffsets.get(partition);
      Long lag = offset == null || end == null ? null : Math.max(0, end - offset);
      total += lag == null ? 0 : lag;
      rows.add(new Row(partition.topic(), partition.partition(), offset, end, lag, owners.get(partition)));
    }
    return new LagTable(List.copyOf(rows), total);
  }
}
