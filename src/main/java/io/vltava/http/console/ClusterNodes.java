package io.vltava.http.console;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The console's table of nodes: each Pekko cluster member (address, roles, status) joined with the
 * broker it runs as Kafka's metadata names it (id, Kafka endpoint), the controller marked. A
 * member that runs no broker (the controller role only) has no id; a broker no member matches is
 * listed with status {@code unknown}. Sorted by id, members without one last.
 */
final class ClusterNodes {
  private ClusterNodes() {}

  /** A cluster member; {@code nodeId} is null when it has registered no broker. */
  record Member(Integer nodeId, String address, List<String> roles, String status) {}

  /** A broker from Kafka's DescribeCluster. */
  record Broker(int nodeId, String host, int port) {}

  record Node(Integer nodeId, String kafkaEndpoint, String address, List<String> roles, String status,
              boolean controller, boolean thisNode) {}

  static List<Node> join(List<Broker> brokers, int controllerId, List<Member> members, int localNodeId) {
    Map<Integer, Broker> byId = new java.util.HashMap<>();
    brokers.forEach(broker -> byId.put(broker.nodeId(), broker));
    List<Node> nodes = new ArrayList<>();
    Set<Integer> listed = new HashSet<>();
    for (Member member : members) {
      Broker broker = member.nodeId() == null ? null : byId.get(member.nodeId());
      nodes.add(new Node(member.nodeId(), broker == null ? null : broker.host() + ":" + broker.port(), member.address(),
          member.roles(), member.status(), member.nodeId() != null && member.nodeId() == controllerId,
          member.nodeId() != null && member.nodeId() == localNodeId));
      if (member.nodeId() != null) {
        listed.add(member.nodeId());
      }
    }
    for (Broker broker : brokers) {
      if (!listed.contains(broker.nodeId())) {
        nodes.add(new Node(broker.nodeId(), broker.host() + ":" + broker.port(), null, List.of(), "unknown",
            broker.nodeId() == controllerId, broker.nodeId() == localNodeId));
      }
    }
    nodes.sort(Comparator.comparing(Node::nodeId, Comparator.nullsLast(Comparator.naturalOrder())).thenComparing(
        Node::address, Comparator.nullsLast(Comparator.naturalOrder())));
    return nodes;
  }
}
