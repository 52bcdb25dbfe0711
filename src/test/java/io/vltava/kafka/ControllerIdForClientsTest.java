package io.vltava.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vltava.metadata.BrokerInfo;
import io.vltava.metadata.ClusterState;
import org.junit.jupiter.api.Test;

/** Which controller id clients are told: always a broker they can reach, as Kafka's brokers answer. */
class ControllerIdForClientsTest {

  private static ClusterState brokers(int... ids) {
    ClusterState state = ClusterState.initial("cluster");
    for (int id : ids) {
      state = state.withBroker(new BrokerInfo(id, "127.0.0.1", 9090 + id, "127.0.0.1:" + (25520 + id)));
    }
    return state;
  }

  @Test
  void aControllerThatIsABrokerIsNamed() {
    assertEquals(2, BrokerServices.controllerIdForClients(brokers(1, 2, 3).withNewController(2), 3));
  }

  @Test
  void aControllerOnlyNodeIsReplacedByTheAnsweringBroker() {
    assertEquals(3, BrokerServices.controllerIdForClients(brokers(1, 2, 3).withNewController(9), 3));
  }

  @Test
  void aNodeThatIsNoBrokerNamesTheLowestBroker() {
    assertEquals(1, BrokerServices.controllerIdForClients(brokers(2, 1).withNewController(9), 9));
  }

  @Test
  void withoutBrokersThereIsNone() {
    assertEquals(-1, BrokerServices.controllerIdForClients(ClusterState.initial("cluster").withNewController(9), 9));
  }
}
