package io.vltava.http.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class LagTableTest {
  private static final TopicPartition A0 = new TopicPartition("a", 0);
  private static final TopicPartition A1 = new TopicPartition("a", 1);
  private static final TopicPartition A10 = new TopicPartition("a", 10);
  private static final TopicPartition B0 = new TopicPartition("b", 0);

  @Test
  void lagIsEndMinusCommittedPerPartitionInOrder() {
    LagTable table = LagTable.of(
        Map.of(A10, 5L, A0, 10L, B0, 7L),
        Map.of(A0, 15L, A10, 5L, B0, 7L, A1, 3L),
        Map.of(A0, "consumer-1", A1, "consumer-2"));
    assertEquals(List.of(
        new LagTable.Row("a", 0, 10L, 15L, 5L, "consumer-1"),
        new LagTable.Row("a", 1, null, 3L, null, "consumer-2"),
        new LagTable.Row("a", 10, 5L, 5L, 0L, null),
        new LagTable.Row("b", 0, 7L, 7L, 0L, null)), table.rows());
    assertEquals(5, table.totalLag());
  }

  @Test
  void aCommitAheadOfTheEndIsNoLagAndAnUnknownEndNoNumber() {
    LagTable table = LagTable.of(Map.of(A0, 20L, A1, 4L), Map.of(A0, 15L), Map.of());
    assertEquals(0L, table.rows().get(0).lag());
    assertEquals(null, table.rows().get(1).lag());
    assertEquals(0, table.totalLag());
  }
}
