package io.vltava.node;

import static io.vltava.node.GroupTestSupport.FAST_GROUPS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests a KafkaConsumer would not send: stale generations, unknown members, replaced static members. */
class GroupFencingTest {
  @TempDir static Path dataDir;
  static VltavaNode node;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(dataDir, FAST_GROUPS);
    GroupTestSupport.createTopic(node.bootstrapServers(), "fenced", 1);
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @Test
  void aCommitOfAStaleGenerationIsRejectedWithIllegalGeneration() throws Exception {
    try (RawMember member = new RawMember(node.kafkaAddress(), "stale", null)) {
      assertEquals(Errors.NONE, member.join("fenced", 10_000));
      assertTrue(member.memberId.startsWith("vltava-test-"), "the first join got MEMBER_ID_REQUIRED and an id");
      assertEquals(member.memberId, member.leaderId);
      member.sync();
      int first = member.generationId;
      assertEquals(Errors.NONE, member.commit("fenced", 5, first, member.memberId));

      // The leader rejoining starts generation first + 1.
      assertEquals(Errors.NONE, member.join("fenced", 10_000));
      assertEquals(first + 1, member.generationId);
      member.sync();
      assertEquals(Errors.ILLEGAL_GENERATION, member.commit("fenced", 7, first, member.memberId));
      assertEquals(Errors.ILLEGAL_GENERATION, member.heartbeat(first));
      assertEquals(Errors.UNKNOWN_MEMBER_ID, member.commit("fenced", 7, member.generationId, "nobody"));
      assertEquals(Errors.NONE, member.commit("fenced", 7, member.generationId, member.memberId));
      assertEquals(Errors.NONE, member.heartbeat(member.generationId));
    }
  }

  @Test
  void aReplacedStaticMemberIsFenced() throws Exception {
    try (RawMember first = new RawMember(node.kafkaAddress(), "static", "instance-1");
        RawMember second = new RawMember(node.kafkaAddress(), "static", "instance-1")) {
      assertEquals(Errors.NONE, first.join("fenced", 10_000));
      first.sync();
      // The same instance id joining again (a restarted process) takes over; the old member id is fenced.
      assertEquals(Errors.NONE, second.join("fenced", 10_000));
      second.sync();
      assertEquals(Errors.FENCED_INSTANCE_ID, first.heartbeat(first.generationId));
      assertEquals(Errors.NONE, second.heartbeat(second.generationId));
    }
  }
}
