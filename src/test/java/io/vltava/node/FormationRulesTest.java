package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.vltava.node.FormationRules.Decision;
import io.vltava.node.FormationRules.Form;
import io.vltava.node.FormationRules.JoinMember;
import io.vltava.node.FormationRules.Peer;
import io.vltava.node.FormationRules.Refuse;
import io.vltava.node.FormationRules.Self;
import io.vltava.node.FormationRules.Wait;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

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
    assertEquals(new Form(X), FormationRules.decide(new Self("n1", X, true, 1), List.of()));
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
    assertInstanceOf(Wait.class, FormationRules.decide(new Self("n1", X, true, 2), List.of()));
  }

  @Test
  void aRecordedNodeJoinsItsClusterWhenAMemberAnswers() {
    assertEquals(new JoinMember("n3", "cluster-x"),
        FormationRules.decide(new Self("n1", X, true, 2), List.of(new Peer("n2", X, false), new Peer("n3", X, true))));
  }

  @Test
  void afterATotalOutageTheLowestOfAMajorityReformsTheCluster() {
    assertEquals(new Form(X), FormationRules.decide(new Self("n2", X, false, 2), List.of(new Peer("n3", X, false))));
    assertInstanceOf(Wait.class, FormationRules.decide(new Self("n3", X, false, 2), List.of(new Peer("n2", X, false))));
    assertInstanceOf(Wait.class, FormationRules.decide(new Self("n3", X, false, 3), List.of(new Peer("n2", X, false))));
  }

  @Test
  void aNewNodeCountsTowardsAMajorityButDoesNotLeadIt() {
    assertEquals(new Form(X), FormationRules.decide(new Self("n2", X, false, 2), List.of(new Peer("n1", NONE, false))));
    assertInstanceOf(Wait.class, FormationRules.decide(new Self("n1", NONE, true, 2), List.of(new Peer("n2", X, false))));
  }

  @Test
  void aNodeOfAnotherClusterIsRefused() {
    assertInstanceOf(Refuse.class, FormationRules.decide(new Self("n1", X, true, 2), List.of(new Peer("n2", Y, true))));
    assertInstanceOf(Refuse.class, FormationRules.decide(new Self("n1", X, true, 2), List.of(new Peer("n2", Y, false))));
    assertInstanceOf(Refuse.class, FormationRules.decide(new Self("n9", NONE, false, 2),
        List.of(new Peer("n1", X, true), new Peer("n2", Y, true))));
  }
}
