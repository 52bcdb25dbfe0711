package io.vltava.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vltava.metadata.AclEntry;
import io.vltava.metadata.AclFilter;
import io.vltava.metadata.ClientQuota;
import io.vltava.metadata.ClusterState;
import io.vltava.testkit.NodeSerialization;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ACL and client-quota requests reach the controller singleton from any node, and the cluster
 * state carrying ACLs and quotas is replicated and stored: all round-trip through the serializer a
 * node's config binds. A state stored before ACLs and quotas existed reads with none.
 */
class AccessControlSerializationTest {
  @RegisterExtension
  static final NodeSerialization node = new NodeSerialization();

  @Test
  void requestsRepliesAndTheStateRoundTrip() throws Exception {
    TestProbe<Controller.Outcomes> outcomes = node.testKit().createTestProbe();
    TestProbe<Controller.AclsDeleted> deleted = node.testKit().createTestProbe();
    AclEntry acl = new AclEntry(ResourceType.TOPIC, "orders", PatternType.PREFIXED, "User:alice", "*",
        AclOperation.WRITE, AclPermissionType.DENY);
    AclFilter filter = new AclFilter(ResourceType.ANY, null, PatternType.MATCH, "User:alice", null, AclOperation.ANY,
        AclPermissionType.ANY);
    ClientQuota quota = new ClientQuota(ClientQuota.DEFAULT, "app", Map.of("producer_byte_rate", 1024.0));
    ClusterState state = ClusterState.initial("c").withAcls(Set.of(acl)).withClientQuotas(List.of(quota));
    node.assertRoundTrips(List.of(
        new Controller.CreateAcls(List.of(acl), outcomes.ref()),
        new Controller.DeleteAcls(List.of(filter), deleted.ref()),
        new Controller.AclsDeleted(List.of(List.of(acl), List.of()), Controller.Outcome.OK, 7),
        new Controller.AlterClientQuotas(List.of(new Controller.QuotaChange("alice", null,
            Map.of("producer_byte_rate", Optional.of(10.0), "consumer_byte_rate", Optional.empty()))), false, outcomes.ref()),
        state));
  }

  @Test
  void aStateStoredBeforeAclsAndQuotasExistedHasNone() throws Exception {
    var mapper = JacksonObjectMapperProvider.get(Adapter.toClassic(node.testKit().system())).getOrCreate("jackson-json", Optional.empty());
    String stored = "{\"version\":3,\"clusterId\":\"c\",\"controllerId\":1,\"controllerEpoch\":2,\"brokers\":{},\"topics\":{},"
        + "\"nextProducerId\":0,\"brokerConfigs\":{}}";
    ClusterState read = mapper.readValue(stored.getBytes(StandardCharsets.UTF_8), ClusterState.class);
    assertEquals(Set.of(), read.acls());
    assertEquals(List.of(), read.clientQuotas());
  }
}
