package io.vltava.http.console;

import io.vltava.http.MemberStatus;
import io.vltava.metadata.BrokerInfo;
import io.vltava.metadata.MetadataCache;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The Pekko cluster's members as this node sees them, each with the broker id it registered. The
 * Kafka protocol knows brokers only; roles, membership status and reachability come from Pekko.
 */
final class ClusterMembers implements Supplier<List<ClusterNodes.Member>> {
  private final ActorSystem<?> system;
  private final MetadataCache metadata;

  ClusterMembers(ActorSystem<?> system, MetadataCache metadata) {
    this.system = system;
    this.metadata = metadata;
  }

  @Override
  public List<ClusterNodes.Member> get() {
    Map<String, Integer> nodeIdByAddress = new HashMap<>();
    for (BrokerInfo broker : metadata.current().brokers().values()) {
      nodeIdByAddress.put(broker.clusterAddress(), broker.nodeId());
    }
    var state = Cluster.get(system).state();
    Set<Member> unreachable = state.getUnreachable();
    List<ClusterNodes.Member> members = new ArrayList<>();
    for (Member member : state.getMembers()) {
      String address = member.address().toString();
      List<String> roles = member.getRoles().stream().filter(role -> !role.startsWith("dc-")).sorted().toList();
      members.add(new ClusterNodes.Member(nodeIdByAddress.get(address), address, roles, MemberStatus.of(member, unreachable)));
    }
    return members;
  }
}
