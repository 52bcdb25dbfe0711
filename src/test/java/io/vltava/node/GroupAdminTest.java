package io.vltava.node;

import static io.vltava.node.GroupTestSupport.FAST_GROUPS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.node.GroupTestSupport.PollingConsumer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.GroupSubscribedToTopicException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AdminClient's consumer-group operations against one node. */
class GroupAdminTest {
  @TempDir static Path dataDir;
  static VltavaNode node;
  static Admin admin;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(dataDir, FAST_GROUPS);
    admin = Admin.create(TestNodes.adminProps(node.bootstrapServers()));
    GroupTestSupport.createTopic(node.bootstrapServers(), "watched", 2);
    GroupTestSupport.createTopic(node.bootstrapServers(), "other", 1);
  }

  @AfterAll
  static void stop() throws Exception {
    admin.close();
    node.close();
  }

  @Test
  void listDescribeAndOffsetsOfAnActiveGroup() throws Exception {
    try (PollingConsumer consumer = new PollingConsumer(
        GroupTestSupport.groupConsumerProps(node.bootstrapServers(), "active"), "watched")) {
      await().atMost(Duration.ofSeconds(30)).until(() -> consumer.assignment.size() == 2);
      Map<String, GroupListing> listed = admin.listGroups().all().get().stream()
          .collect(Collectors.toMap(GroupListing::groupId, g -> g));
      assertTrue(listed.containsKey("active"), listed.toString());
      assertEquals(GroupState.STABLE, listed.get("active").groupState().orElseThrow());
      @SuppressWarnings("removal")
      boolean listedAsConsumerGroup = admin.listConsumerGroups().all().get().stream()
          .anyMatch(g -> g.groupId().equals("active"));
      assertTrue(listedAsConsumerGroup);

      ConsumerGroupDescription description = admin.describeConsumerGroups(List.of("active")).all().get().get("active");
      assertEquals(GroupState.STABLE, description.groupState());
      assertEquals(1, description.members().size());
      assertEquals(Set.of(new TopicPartition("watched", 0), new TopicPartition("watched", 1)),
          description.members().iterator().next().assignment().topicPartitions());
      assertEquals(node.settings().nodeId(), description.coordinator().id());

      await().atMost(Duration.ofSeconds(10)).until(() -> admin.listConsumerGroupOffsets("active")
          .partitionsToOffsetAndMetadata().get().containsKey(new TopicPartition("watched", 0)));

      // The members subscribe to "watched": its offsets stay; "other"'s may go.
      ExecutionException subscribed = assertThrows(ExecutionException.class, () ->
          admin.deleteConsumerGroupOffsets("active", Set.of(new TopicPartition("watched", 0))).all().get());
      assertInstanceOf(GroupSubscribedToTopicException.class, subscribed.getCause());
      admin.deleteConsumerGroupOffsets("active", Set.of(new TopicPartition("other", 0))).all().get();

      ExecutionException notEmpty = assertThrows(ExecutionException.class, () ->
          admin.deleteConsumerGroups(List.of("active")).all().get());
      assertInstanceOf(GroupNotEmptyException.class, notEmpty.getCause());
    }
  }

  @Test
  void alterListDeleteOffsetsAndDeleteAnEmptyGroup() throws Exception {
    TopicPartition w0 = new TopicPartition("watched", 0);
    TopicPartition w1 = new TopicPartition("watched", 1);
    admin.alterConsumerGroupOffsets("offline", Map.of(w0, new OffsetAndMetadata(12, "note"), w1, new OffsetAndMetadata(3)))
        .all().get();
    Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("offline")
        .partitionsToOffsetAndMetadata().get();
    assertEquals(12, offsets.get(w0).offset());
    assertEquals("note", offsets.get(w0).metadata());
    assertEquals(3, offsets.get(w1).offset());
    assertEquals(GroupState.EMPTY,
        admin.describeConsumerGroups(List.of("offline")).all().get().get("offline").groupState());
    assertTrue(admin.listGroups().all().get().stream().anyMatch(g -> g.groupId().equals("offline")));

    admin.deleteConsumerGroupOffsets("offline", Set.of(w1)).all().get();
    assertEquals(Set.of(w0), admin.listConsumerGroupOffsets("offline").partitionsToOffsetAndMetadata().get().keySet());

    admin.deleteConsumerGroups(List.of("offline")).all().get();
    assertTrue(admin.listGroups().all().get().stream().noneMatch(g -> g.groupId().equals("offline")));
    assertEquals(Map.of(), admin.listConsumerGroupOffsets("offline").partitionsToOffsetAndMetadata().get());
    ExecutionException gone = assertThrows(ExecutionException.class, () ->
        admin.deleteConsumerGroups(List.of("offline")).all().get());
    assertInstanceOf(GroupIdNotFoundException.class, gone.getCause());
    ExecutionException undescribed = assertThrows(ExecutionException.class, () ->
        admin.describeConsumerGroups(List.of("offline")).all().get());
    assertInstanceOf(GroupIdNotFoundException.class, undescribed.getCause());
  }
}
