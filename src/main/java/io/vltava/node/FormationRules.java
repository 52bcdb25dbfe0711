package io.vltava.node;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * How a node that is not (yet) a cluster member decides what to do, from what the nodes it can reach
 * told it. Pekko clusters never merge, so a cluster is only ever formed here: a brand-new one by the
 * first seed on an empty data directory, and a known one again only by a majority of its nodes (after
 * a total outage). A node that has belonged to a cluster never forms one alone, and a node never
 * joins a cluster whose id differs from its own. Pure; nodes are named by their cluster endpoint "host:port".
 */
final class FormationRules {
  private FormationRules() {}

  /** What another node answered: its cluster id (empty if it never belonged to one) and whether it is a member now. */
  record Peer(String node, Optional<String> clusterId, boolean member) {}

  /** What this node knows of itself. {@code clusterId} is empty for a data directory that never belonged to a cluster. */
  record Self(String node, Optional<String> clusterId, boolean firstSeed, int quorum) {}

  sealed interface Decision {}

  /** Join the cluster through {@code member}; its id becomes this node's. */
  record JoinMember(String member, String clusterId) implements Decision {}

  /** Form the cluster {@code clusterId} (empty: a brand-new one, named now). */
  record Form(Optional<String> clusterId) implements Decision {}

  /** Ask again later. */
  record Wait(String reason) implements Decision {}

  /** Never join: the data directory or the seeds belong to another cluster. */
  record Refuse(String reason) implements Decision {}

  static Decision decide(Self self, List<Peer> reachable) {
    if (self.clusterId().isPresent()) {
      String own = self.clusterId().get();
      Optional<Peer> foreign = reachable.stream().filter(p -> p.clusterId().isPresent() && !p.clusterId().get().equals(own)).findFirst();
      if (foreign.isPresent()) {
        return new Refuse("this data directory belongs to cluster " + own + " but node " + foreign.get().node()
            + " belongs to cluster " + foreign.get().clusterId().get());
      }
    }
    List<Peer> members = reachable.stream().filter(Peer::member).sorted(Comparator.comparing(Peer::node)).toList();
    Set<String> memberClusters = members.stream().map(p -> p.clusterId().orElse("")).collect(Collectors.toCollection(TreeSet::new));
    if (memberClusters.size() > 1) {
      return new Refuse("the seeds belong to different clusters " + memberClusters + "; give seeds of one cluster");
    }
    if (!members.isEmpty()) {
      Peer member = members.get(0);
      return new JoinMember(member.node(), member.clusterId().orElseThrow());
    }
    if (self.clusterId().isEmpty()) {
      if (!self.firstSeed()) {
        return new Wait("no member of a cluster reachable yet; the first seed forms a new cluster");
      }
      Optional<Peer> recorded = reachable.stream().filter(p -> p.clusterId().isPresent()).findFirst();
      if (recorded.isPresent()) {
        return new Wait("node " + recorded.get().node() + " belongs to cluster " + recorded.get().clusterId().get()
            + "; waiting for that cluster instead of forming a new one");
      }
      return new Form(Optional.empty());
    }
    // A known cluster with no member reachable: re-form it only with a majority of its nodes, from the lowest of them.
    List<String> waiting = Stream.concat(Stream.of(self.node()),
            reachable.stream().filter(p -> p.clusterId().isEmpty() || p.clusterId().equals(self.clusterId())).map(Peer::node))
        .distinct().toList();
    if (waiting.size() < self.quorum()) {
      return new Wait("no member of cluster " + self.clusterId().get() + " reachable, and " + waiting.size() + " of the "
          + self.quorum() + " nodes needed to re-form it are up: " + waiting);
    }
    String former = Stream.concat(Stream.of(self.node()),
            reachable.stream().filter(p -> p.clusterId().equals(self.clusterId())).map(Peer::node))
        .min(Comparator.naturalOrder()).orElseThrow();
    if (!former.equals(self.node())) {
      return new Wait("a majority of cluster " + self.clusterId().get() + " is up; " + former + " re-forms it");
    }
    return new Form(self.clusterId());
  }
}
