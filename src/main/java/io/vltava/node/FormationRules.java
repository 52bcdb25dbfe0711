package io.vltava.node;

import java.util.Collection;
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
 * first seed on an empty data directory, and a known one again (after a total outage) only by a node
 * that a majority of the cluster's nodes, itself included, currently support. A node supports one
 * node at a time and switches only once its promise to the old one has lapsed, so two nodes can never
 * both gather a majority, even when reachability is not symmetric or not transitive. A node that has
 * belonged to a cluster never forms one alone, a data directory with partition data never forms a
 * new cluster, and a node never joins a cluster whose id differs from its own.
 * Pure; nodes are named by their cluster endpoint "host:port".
 */
final class FormationRules {
  /**
   * Whom a node that just started may have promised its support before it stopped: anyone. It
   * supports no one until that promise has lapsed.
   */
  static final String ANY_NODE = "*";

  private FormationRules() {}

  /**
   * What another node answered: its cluster id (empty if it never belonged to one), whether it is a
   * member now, whether it reaches a majority of its cluster's nodes, and whom it supports to re-form the cluster.
   */
  record Peer(String node, Optional<String> clusterId, boolean member, boolean reachesQuorum, Optional<String> supports) {
    /** A node that reaches no majority and supports no one. */
    Peer(String node, Optional<String> clusterId, boolean member) {
      this(node, clusterId, member, false, Optional.empty());
    }
  }

  /**
   * What this node knows of itself. {@code clusterId} is empty for a data directory without
   * meta.properties; {@code holdsPartitionData} tells such a directory written by an older Vltava
   * from a new one. {@code supports} is whom it supports to re-form its cluster.
   */
  record Self(String node, Optional<String> clusterId, boolean firstSeed, int quorum, boolean holdsPartitionData,
      Optional<String> supports) {
    /** A node with an empty data directory or with meta.properties, supporting no one. */
    Self(String node, Optional<String> clusterId, boolean firstSeed, int quorum) {
      this(node, clusterId, firstSeed, quorum, false, Optional.empty());
    }

    Self supporting(Optional<String> former) {
      return new Self(node, clusterId, firstSeed, quorum, holdsPartitionData, former);
    }
  }

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
      if (self.holdsPartitionData()) {
        return new Wait("this data directory holds partition data but no " + ClusterMeta.FILE_NAME
            + " (an older Vltava wrote it), so it joins a cluster it reaches but never forms one; no member reachable yet");
      }
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
    return reform(self, reachable);
  }

  /** A known cluster with no member reachable: re-formed only by the node a majority of its nodes support. */
  private static Decision reform(Self self, List<Peer> reachable) {
    String clusterId = self.clusterId().orElseThrow();
    List<String> supporters = Stream.concat(
            self.supports().filter(self.node()::equals).stream(),
            sameCluster(self, reachable).filter(p -> p.supports().filter(self.node()::equals).isPresent()).map(Peer::node))
        .toList();
    if (supporters.size() >= self.quorum()) {
      return new Form(self.clusterId());
    }
    if (self.supports().isPresent() && !self.supports().get().equals(self.node())) {
      return new Wait("no member of cluster " + clusterId + " reachable; supporting " + self.supports().get() + " to re-form it");
    }
    List<String> up = Stream.concat(Stream.of(self.node()), sameCluster(self, reachable).map(Peer::node)).toList();
    return new Wait("no member of cluster " + clusterId + " reachable; " + up.size() + " of its nodes reachable " + up + ", "
        + supporters.size() + " of the " + self.quorum() + " needed to re-form it support this node " + supporters);
  }

  /**
   * Whom this node supports to re-form its cluster. A node that reaches a majority of its cluster and
   * hears no lower node that does stands itself (supports itself). Otherwise it keeps its choice while
   * that node answers and still stands, or else supports the lowest standing node it hears. While
   * {@code promisedTo} holds (it told that node of its support so recently that the node may still
   * count it, or {@link #ANY_NODE} just after a start), it supports no one else. A node that has never
   * belonged to a cluster supports no one.
   */
  static Optional<String> support(Self self, List<Peer> reachable, Optional<String> promisedTo) {
    if (self.clusterId().isEmpty()) {
      return Optional.empty();
    }
    List<Peer> viable = sameCluster(self, reachable).filter(p -> !p.member() && p.reachesQuorum()).toList();
    List<String> standing = viable.stream().filter(p -> p.supports().equals(Optional.of(p.node()))).map(Peer::node).sorted().toList();
    boolean lowerViable = viable.stream().anyMatch(p -> p.node().compareTo(self.node()) < 0);
    Optional<String> desired;
    if (reachesQuorum(self, reachable) && !lowerViable) {
      desired = Optional.of(self.node());
    } else if (self.supports().isPresent() && standing.contains(self.supports().get())) {
      desired = self.supports();
    } else {
      desired = standing.stream().findFirst();
    }
    // A cluster of one needs no one's support, so no promise holds it back.
    if (self.quorum() > 1 && promisedTo.isPresent() && !promisedTo.equals(desired)) {
      return Optional.empty();
    }
    return desired;
  }

  /**
   * With discovery instead of a first seed: whether {@code self} is the node that may form a brand-new
   * cluster. It is the lowest of the discovered nodes, once they include itself and number at least
   * {@code clusterSize}, so nodes that start together and see the same list agree on one (as Pekko's
   * Cluster Bootstrap with its required contact points). {@link #decide} still applies: a node that
   * belonged to a cluster, or that reaches one, never forms a new one.
   */
  static boolean firstDiscovered(String self, Collection<String> discovered, int clusterSize) {
    TreeSet<String> nodes = new TreeSet<>(discovered);
    return nodes.contains(self) && nodes.size() >= clusterSize && nodes.first().equals(self);
  }

  /** Whether this node and the nodes of its cluster it reaches are a majority of the cluster. */
  static boolean reachesQuorum(Self self, List<Peer> reachable) {
    return self.clusterId().isPresent() && 1 + sameCluster(self, reachable).count() >= self.quorum();
  }

  private static Stream<Peer> sameCluster(Self self, List<Peer> reachable) {
    return reachable.stream().filter(p -> !p.node().equals(self.node()) && p.clusterId().equals(self.clusterId()));
  }
}
