package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.node.FormationRules.Decision;
import io.vltava.node.FormationRules.Form;
import io.vltava.node.FormationRules.JoinMember;
import io.vltava.node.FormationRules.Peer;
import io.vltava.node.FormationRules.Refuse;
import io.vltava.node.FormationRules.Self;
import io.vltava.node.FormationRules.Wait;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FormationRulesTest {
  private static final Optional<String> NONE = Optional.empty();
  private static final Optional<String> X = Optional.of("cluster-x");
  private static final Optional<String> Y = Optional.of("cluster-y");

  @Test
  void theFirstSeedOnAnEmptyDataDirectoryFormsANewCluster() {
    Decision decision = FormationRules.decide(new Self("n1", NONE, true, 2), List.of(new Peer("n2", NONE, false)));
    assertEquals(new Form(NONE), decision);
  }

  @Test
  void aNodeWithNoSeedsFormsAndReformsItsOwnCluster() {
    assertEquals(new Form(NONE), FormationRules.decide(new Self("n1", NONE, true, 1), List.of()));
    Self restarted = new Self("n1", X, true, 1);
    // Just started, so it may have promised anyone; a cluster of one needs no one's support anyway.
    Optional<String> support = FormationRules.support(restarted, List.of(), Optional.of(FormationRules.ANY_NODE));
    assertEquals(Optional.of("n1"), support);
    assertEquals(new Form(X), FormationRules.decide(restarted.supporting(support), List.of()));
  }

  @Test
  void anotherSeedOnAnEmptyDataDirectoryWaitsForTheFirst() {
    assertInstanceOf(Wait.class, FormationRules.decide(new Self("n2", NONE, false, 2), List.of(new Peer("n3", NONE, false))));
  }

  @Test
  void aNewNodeJoinsAMemberAndTakesItsClusterId() {
    Decision decision = FormationRules.decide(new Self("n4", NONE, false, 2),
        List.of(new Peer("n3", X, true), new Peer("n2", X, true), new Peer("n1", X, false)));
    assertEquals(new JoinMember("n2", "cluster-x"), decision);
  }

  @Test
  void aFirstSeedThatBelongedToAClusterNeverFormsOneAlone() {
    // The second cluster: node 1 restarted while cut off from nodes 2 and 3.
    Self first = new Self("n1", X, true, 2);
    Optional<String> support = FormationRules.support(first, List.of(), NONE);
    assertEquals(NONE, support, "alone it reaches no majority, so it supports no one, not even itself");
    assertInstanceOf(Wait.class, FormationRules.decide(first.supporting(support), List.of()));
  }

  @Test
  void aRecordedNodeJoinsItsClusterWhenAMemberAnswers() {
    assertEquals(new JoinMember("n3", "cluster-x"),
        FormationRules.decide(new Self("n1", X, true, 2), List.of(new Peer("n2", X, false), new Peer("n3", X, true))));
  }

  @Test
  void afterATotalOutageTheNodeAMajoritySupportsReformsTheCluster() {
    Peer n3SupportingN2 = new Peer("n3", X, false, true, Optional.of("n2"));
    assertEquals(new Form(X), FormationRules.decide(new Self("n2", X, false, 2, false, Optional.of("n2")), List.of(n3SupportingN2)));
    assertInstanceOf(Wait.class, FormationRules.decide(new Self("n2", X, false, 3, false, Optional.of("n2")), List.of(n3SupportingN2)),
        "two supporters are no majority of five");
    assertInstanceOf(Wait.class, FormationRules.decide(new Self("n2", X, false, 2, false, Optional.of("n1")), List.of(n3SupportingN2)),
        "a node that supports another does not count itself");
    assertInstanceOf(Wait.class, FormationRules.decide(new Self("n3", X, false, 2, false, Optional.of("n2")),
        List.of(new Peer("n2", X, false, true, Optional.of("n2")))));
  }

  @Test
  void theLowestNodeThatReachesAMajorityStandsAndTheOthersSupportTheLowestStandingOne() {
    Peer n1 = new Peer("n1", X, false, false, NONE);
    Peer n2Standing = new Peer("n2", X, false, true, Optional.of("n2"));
    assertEquals(Optional.of("n2"), FormationRules.support(new Self("n3", X, false, 2), List.of(n1, n2Standing), NONE),
        "n1 answers but reaches no majority, so it could never form");
    assertEquals(Optional.of("n2"), FormationRules.support(new Self("n2", X, false, 2), List.of(n1, new Peer("n3", X, false, true, NONE)), NONE),
        "n2 reaches a majority and hears no lower node that does: it stands");
    assertEquals(NONE, FormationRules.support(new Self("n3", X, false, 2), List.of(n1, new Peer("n2", X, false, true, NONE)), NONE),
        "n2 could stand but does not yet; n3, not the lowest, waits for it");
    assertEquals(NONE, FormationRules.support(new Self("n3", NONE, false, 2), List.of(n1, n2Standing), NONE),
        "a node of no cluster supports no one");
  }

  @Test
  void aNodeKeepsItsChoiceWhileItStandsAndSwitchesOnlyOnceItsPromiseHasLapsed() {
    Self supportingN2 = new Self("n3", X, false, 2, false, Optional.of("n2"));
    Peer n1 = new Peer("n1", X, false, true, Optional.of("n1"));
    Peer n2 = new Peer("n2", X, false, true, Optional.of("n2"));
    assertEquals(Optional.of("n2"), FormationRules.support(supportingN2, List.of(n1, n2), Optional.of("n2")),
        "a lower node turning up does not take the support of a node that still answers");
    assertEquals(NONE, FormationRules.support(supportingN2, List.of(n1), Optional.of("n2")),
        "n2 vanished, but may still count the support it was promised: no one is supported meanwhile");
    assertEquals(Optional.of("n1"), FormationRules.support(supportingN2, List.of(n1), NONE));
    assertEquals(NONE, FormationRules.support(new Self("n3", X, false, 2), List.of(n1), Optional.of(FormationRules.ANY_NODE)),
        "just started: its previous run may have promised anyone");
  }

  @Test
  void withAsymmetricReachabilityOnlyOneNodeFormsWhereTheLowestOfEachViewWouldHaveTwo() {
    // n1 and n2 cannot talk; n3 talks to both. Each of n1 and n2 sees a majority with itself lowest.
    Map<String, Set<String>> links = Map.of("n1", Set.of("n3"), "n2", Set.of("n3"), "n3", Set.of("n1", "n2"));
    Model model = new Model(List.of("n1", "n2", "n3"), 2, new Random(1), 0);
    for (int round = 0; round < 40; round++) {
      model.step(links);
    }
    assertEquals(Set.of("n1"), model.formers, "only n1, whom n3 supports, re-forms the cluster");
  }

  @Test
  void aBridgeNodeWithAMajorityOnlyThroughItselfGetsTheSupportInsteadOfALowerNodeThatCouldNeverForm() {
    // Five nodes: n1 reaches only n2; n2..n5 all reach each other. n1 alone can never gather three.
    Map<String, Set<String>> links = Map.of("n1", Set.of("n2"), "n2", Set.of("n1", "n3", "n4", "n5"),
        "n3", Set.of("n2", "n4", "n5"), "n4", Set.of("n2", "n3", "n5"), "n5", Set.of("n2", "n3", "n4"));
    Model model = new Model(List.of("n1", "n2", "n3", "n4", "n5"), 3, new Random(1), 0);
    for (int round = 0; round < 40; round++) {
      model.step(links);
    }
    assertEquals(Set.of("n2"), model.formers);
    assertEquals(5, model.memberOf.size(), "n1 joins through n2, its only link");
  }

  /** Seeded random reachability that changes every few rounds, and restarts; checked every round, then healed. */
  @ParameterizedTest
  @ValueSource(ints = {3, 5})
  void underChangingReachabilityAtMostOneReformedClusterIsEverAliveAndOnceHealedAllJoinIt(int size) {
    List<String> nodes = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      nodes.add("n" + i);
    }
    int formations = 0;
    for (long seed = 0; seed < 300; seed++) {
      Random random = new Random(seed);
      Model model = new Model(nodes, size / 2 + 1, random, 50);
      Map<String, Set<String>> links = Map.of();
      for (int round = 0; round < 150; round++) {
        if (round % (1 + random.nextInt(8)) == 0) {
          links = randomLinks(nodes, 0.2 + 0.7 * random.nextDouble(), random);
        }
        model.step(links);
        assertTrue(model.aliveClusters() <= 1, "seed " + seed + " round " + round + ": clusters " + model.memberOf);
      }
      Map<String, Set<String>> healed = randomLinks(nodes, 1.0, random);
      for (int round = 0; round < 40; round++) {
        model.step(healed);
        assertTrue(model.aliveClusters() <= 1, "seed " + seed + " healed round " + round);
      }
      assertEquals(size, model.memberOf.size(), "seed " + seed + ": every node is a member once the network healed");
      formations += model.formations;
    }
    assertTrue(formations >= 300, "clusters were formed (and some given up) along the way: " + formations);
  }

  @Test
  void aDataDirectoryWithPartitionDataButNoMetaPropertiesNeverFormsButJoinsAMember() {
    Self legacy = new Self("n1", NONE, true, 1, true, NONE);
    assertInstanceOf(Wait.class, FormationRules.decide(legacy, List.of()), "not even as the first seed with no one else");
    assertInstanceOf(Wait.class, FormationRules.decide(legacy, List.of(new Peer("n2", NONE, false))));
    assertEquals(new JoinMember("n2", "cluster-x"), FormationRules.decide(legacy, List.of(new Peer("n2", X, true))));
    assertEquals(NONE, FormationRules.support(legacy, List.of(new Peer("n2", X, false, true, NONE)), NONE));
  }

  @Test
  void aNewNodeNeitherCountsTowardsAMajorityNorLeadsIt() {
    Self n2 = new Self("n2", X, false, 2);
    List<Peer> heard = List.of(new Peer("n1", NONE, false, false, NONE));
    assertEquals(false, FormationRules.reachesQuorum(n2, heard));
    assertInstanceOf(Wait.class, FormationRules.decide(n2.supporting(FormationRules.support(n2, heard, NONE)), heard));
    assertInstanceOf(Wait.class, FormationRules.decide(new Self("n1", NONE, true, 2), List.of(new Peer("n2", X, false))));
  }

  @Test
  void aNodeOfAnotherClusterIsRefused() {
    assertInstanceOf(Refuse.class, FormationRules.decide(new Self("n1", X, true, 2), List.of(new Peer("n2", Y, true))));
    assertInstanceOf(Refuse.class, FormationRules.decide(new Self("n1", X, true, 2), List.of(new Peer("n2", Y, false))));
    assertInstanceOf(Refuse.class, FormationRules.decide(new Self("n9", NONE, false, 2),
        List.of(new Peer("n1", X, true), new Peer("n2", Y, true))));
  }

  private static Map<String, Set<String>> randomLinks(List<String> nodes, double up, Random random) {
    Map<String, Set<String>> links = new HashMap<>();
    nodes.forEach(node -> links.put(node, new HashSet<>()));
    for (int i = 0; i < nodes.size(); i++) {
      for (int j = i + 1; j < nodes.size(); j++) {
        if (random.nextDouble() < up) {
          links.get(nodes.get(i)).add(nodes.get(j));
          links.get(nodes.get(j)).add(nodes.get(i));
        }
      }
    }
    return links;
  }

  /**
   * Nodes of cluster X after a total outage, probing each other once a round as ClusterFormation does:
   * a node hears the nodes it has a link to (a probe and its answer both got through), as they were
   * at the end of the previous round; a node answering a probe with support for the prober renews its
   * promise to it. A promise holds {@link #HOLD} rounds; a node that re-formed the cluster gives up
   * (and its members restart) unless a majority joined within {@link #GRACE} rounds. Non-members
   * restart at random (one in {@code restartOneIn} rounds, 0 = never), forgetting whom they supported.
   */
  private static final class Model {
    static final int HOLD = 10;
    static final int GRACE = 6;
    final List<String> nodes;
    final int quorum;
    final Random random;
    final int restartOneIn;
    final Map<String, Optional<String>> supports = new HashMap<>();
    final Map<String, Boolean> reaches = new HashMap<>();
    final Map<String, String> promisedTo = new HashMap<>();
    final Map<String, Integer> promisedAt = new HashMap<>();
    /** Member node to the node that formed its cluster. */
    final Map<String, String> memberOf = new HashMap<>();
    final Map<String, Integer> formedAt = new HashMap<>();
    final Set<String> complete = new HashSet<>();
    final Set<String> formers = new HashSet<>();
    int formations;
    int round;

    Model(List<String> nodes, int quorum, Random random, int restartOneIn) {
      this.nodes = nodes;
      this.quorum = quorum;
      this.random = random;
      this.restartOneIn = restartOneIn;
      nodes.forEach(node -> restart(node));
    }

    void restart(String node) {
      memberOf.remove(node);
      complete.remove(node);
      supports.put(node, NONE);
      reaches.put(node, false);
      promisedTo.put(node, FormationRules.ANY_NODE);
      promisedAt.put(node, round);
    }

    void step(Map<String, Set<String>> links) {
      Map<String, Peer> answers = new HashMap<>();
      for (String node : nodes) {
        answers.put(node, new Peer(node, X, memberOf.containsKey(node), reaches.get(node), supports.get(node)));
      }
      Map<String, String> memberOfBefore = new HashMap<>(memberOf);
      for (String node : nodes) {
        if (memberOfBefore.containsKey(node)) {
          continue;
        }
        List<Peer> heard = new ArrayList<>();
        for (String peer : links.getOrDefault(node, Set.of())) {
          heard.add(answers.get(peer));
          if (answers.get(peer).supports().equals(Optional.of(node))) {
            promisedTo.put(peer, node);
            promisedAt.put(peer, round);
          }
        }
        Self self = new Self(node, X, false, quorum, false, supports.get(node));
        Optional<String> promise = round - promisedAt.get(node) < HOLD ? Optional.of(promisedTo.get(node)) : NONE;
        reaches.put(node, FormationRules.reachesQuorum(self, heard));
        supports.put(node, FormationRules.support(self, heard, promise));
        Decision decision = FormationRules.decide(self.supporting(supports.get(node)), heard);
        if (decision instanceof Form) {
          memberOf.put(node, node);
          formedAt.put(node, round);
          formers.add(node);
          formations++;
        } else if (decision instanceof JoinMember join) {
          memberOf.put(node, memberOfBefore.get(join.member()));
        }
      }
      for (String former : Set.copyOf(formedAt.keySet())) {
        long members = memberOf.values().stream().filter(former::equals).count();
        if (members >= quorum) {
          complete.add(former);
        } else if (!complete.contains(former) && round - formedAt.get(former) >= GRACE) {
          formedAt.remove(former);
          nodes.stream().filter(node -> former.equals(memberOf.get(node))).toList().forEach(this::restart);
        }
      }
      for (String node : nodes) {
        if (!memberOf.containsKey(node) && restartOneIn > 0 && random.nextInt(restartOneIn) == 0) {
          restart(node);
        }
      }
      round++;
    }

    long aliveClusters() {
      return memberOf.values().stream().distinct().count();
    }
  }
}
