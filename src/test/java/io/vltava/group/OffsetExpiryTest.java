package io.vltava.group;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class OffsetExpiryTest {
  private static final long RETENTION_MS = 1000;
  private final GroupOffsets offsets = GroupOffsets.EMPTY.committed(List.of(
      new CommittedOffset("t", 0, 5, -1, "", 100),
      new CommittedOffset("t", 1, 7, -1, "", 900)));

  @Test
  void nothingExpiresWhileTheGroupHasMembers() {
    assertEquals(List.of(), OffsetExpiry.expired(offsets, true, 0, 10_000, RETENTION_MS));
  }

  @Test
  void offsetsExpireRetentionAfterTheLaterOfTheirCommitAndTheGroupEmptying() {
    assertEquals(List.of(new CommittedOffset.PartitionKey("t", 0)), OffsetExpiry.expired(offsets, false, 0, 1500, RETENTION_MS));
    assertEquals(List.of(), OffsetExpiry.expired(offsets, false, 800, 1500, RETENTION_MS), "emptied at 800: kept until 1800");
    assertEquals(2, OffsetExpiry.expired(offsets, false, 800, 1900, RETENTION_MS).size());
  }
}
