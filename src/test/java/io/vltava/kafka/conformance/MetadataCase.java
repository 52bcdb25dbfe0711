package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataResponse;

/**
 * Metadata: the brokers, cluster id and controller, and topics with their partitions' leaders,
 * epochs, replicas and ISR; topic ids from v10 and lookups by id from v12; all topics (an empty
 * list at v0, null from v1); unknown and invalid names; auto-creation refused when not allowed.
 */
final class MetadataCase implements ApiCase {
  private static final short FIRST_VERSION_WITH_AUTO_CREATE_FLAG = 4;
  private static final short FIRST_VERSION_WITH_AUTHORIZED_OPERATIONS = 8;
  private static final short LAST_VERSION_WITH_CLUSTER_AUTHORIZED_OPERATIONS = 10;
  private static final short FIRST_VERSION_WITH_TOPIC_IDS = 10;
  private static final short FIRST_VERSION_WITH_LOOKUP_BY_ID = 12;

  private String topic;

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.METADATA;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    if (topic == null) {
      topic = broker.createTopic("metadata", 2);
    }
    String notCreated = "metadata-absent-v" + version;
    MetadataResponse named = broker.send(request(version, List.of(
        new MetadataRequestTopic().setName(topic), new MetadataRequestTopic().setName(notCreated),
        new MetadataRequestTopic().setName("bad name!"))), version);
    assertCluster(broker, named.data(), version);
    assertEquals(3, named.data().topics().size());
    assertTopic(broker, version, named.data().topics().find(topic));
    MetadataResponseTopic unknown = named.data().topics().find(notCreated);
    assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), unknown.errorCode());
    assertEquals(List.of(), unknown.partitions());
    assertEquals(Uuid.ZERO_UUID, unknown.topicId());
    assertEquals(Errors.INVALID_TOPIC_EXCEPTION.code(), named.data().topics().find("bad name!").errorCode());
    assertTrue(broker.node().metadata().current().topic(notCreated).isEmpty(), "an unknown topic is not created");

    // v0 asks for every topic with an empty list, later versions with a null one.
    MetadataResponse everyTopic = broker.send(request(version, version == 0 ? List.of() : null), version);
    assertCluster(broker, everyTopic.data(), version);
    assertTopic(broker, version, everyTopic.data().topics().find(topic));
    if (version > 0) {
      MetadataResponse none = broker.send(request(version, List.of()), version);
      assertEquals(0, none.data().topics().size(), "an empty list asks for no topic from v1");
    }

    if (version >= FIRST_VERSION_WITH_LOOKUP_BY_ID) {
      Uuid unknownId = Uuid.randomUuid();
      MetadataResponse byId = broker.send(request(version, List.of(
          new MetadataRequestTopic().setName(null).setTopicId(broker.topicId(topic)),
          new MetadataRequestTopic().setName(null).setTopicId(unknownId))), version);
      assertEquals(2, byId.data().topics().size());
      assertTopic(broker, version, byId.data().topics().stream().filter(t -> topic.equals(t.name())).findFirst().orElseThrow());
      MetadataResponseTopic unknownById = byId.data().topics().stream()
          .filter(t -> unknownId.equals(t.topicId())).findFirst().orElseThrow();
      assertEquals(Errors.UNKNOWN_TOPIC_ID.code(), unknownById.errorCode());
      assertNull(unknownById.name());
    }
  }

  private static MetadataRequestData request(short version, List<MetadataRequestTopic> topics) {
    MetadataRequestData request = new MetadataRequestData()
        .setTopics(topics == null ? null : new ArrayList<>(topics));
    if (version >= FIRST_VERSION_WITH_AUTO_CREATE_FLAG) {
      request.setAllowAutoTopicCreation(false);
    }
    if (version >= FIRST_VERSION_WITH_AUTHORIZED_OPERATIONS) {
      request.setIncludeTopicAuthorizedOperations(true);
    }
    if (version >= FIRST_VERSION_WITH_AUTHORIZED_OPERATIONS && version <= LAST_VERSION_WITH_CLUSTER_AUTHORIZED_OPERATIONS) {
      request.setIncludeClusterAuthorizedOperations(true);
    }
    return request;
  }

  private static void assertCluster(ConformanceBroker broker, MetadataResponseData response, short version) {
    assertEquals(1, response.brokers().size());
    MetadataResponseData.MetadataResponseBroker self = response.brokers().find(broker.nodeId());
    assertNotNull(self, "this node is listed");
    assertEquals(broker.node().kafkaAddress().getPort(), self.port());
    assertEquals(broker.node().kafkaAddress().getHostString(), self.host());
    assertNull(self.rack());
    if (version >= 1) {
      assertEquals(broker.nodeId(), response.controllerId(), "controller id");
    }
    if (version >= 2) {
      assertEquals(broker.node().metadata().current().clusterId(), response.clusterId());
    }
    if (version >= FIRST_VERSION_WITH_AUTHORIZED_OPERATIONS && version <= LAST_VERSION_WITH_CLUSTER_AUTHORIZED_OPERATIONS) {
      assertEquals(ConformanceBroker.ALL_CLUSTER_OPERATIONS, response.clusterAuthorizedOperations(), "cluster authorized operations");
    }
  }

  private static void assertTopic(ConformanceBroker broker, short version, MetadataResponseTopic described) {
    assertNotNull(described);
    assertEquals(Errors.NONE.code(), described.errorCode());
    assertFalse(described.isInternal());
    assertEquals(version >= FIRST_VERSION_WITH_TOPIC_IDS ? broker.topicId(described.name()) : Uuid.ZERO_UUID, described.topicId());
    assertEquals(2, described.partitions().size());
    for (int p = 0; p < 2; p++) {
      MetadataResponsePartition partition = described.partitions().get(p);
      assertEquals(p, partition.partitionIndex());
      assertEquals(Errors.NONE.code(), partition.errorCode());
      assertEquals(broker.nodeId(), partition.leaderId());
      assertEquals(version >= 7 ? broker.leaderEpoch(described.name(), p) : -1, partition.leaderEpoch());
      assertEquals(List.of(broker.nodeId()), partition.replicaNodes());
      assertEquals(List.of(broker.nodeId()), partition.isrNodes());
      assertEquals(List.of(), partition.offlineReplicas());
    }
    if (version >= FIRST_VERSION_WITH_AUTHORIZED_OPERATIONS) {
      assertEquals(ConformanceBroker.ALL_TOPIC_OPERATIONS, described.topicAuthorizedOperations(), "topic authorized operations");
    }
  }
}
