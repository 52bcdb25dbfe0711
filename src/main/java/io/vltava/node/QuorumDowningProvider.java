package io.vltava.node;

import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.DowningProvider;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sbr.DowningStrategy;
import org.apache.pekko.cluster.sbr.SplitBrainResolver$;
import org.apache.pekko.cluster.sbr.SplitBrainResolverSettings;
import scala.Option;
import scala.concurrent.duration.Duration;
import scala.concurrent.duration.FiniteDuration;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Pekko's Split Brain Resolver with a static quorum over the configured cluster size that counts
 * every running, reachable node — Joining and WeaklyUp too. Pekko's own strategies count Up members
 * only, so a node restarting (still Joining) when a second node dies leaves a tie, and keep-majority
 * then downed the live majority. Here a side keeps serving iff it reaches a quorum
 * ({@link NodeSettings.ClusterSettings#quorum}, or a majority of the running nodes if there are more
 * than configured) of distinct nodes; otherwise it downs itself. Reuses
 * Pekko's resolver actor (stable-after, leader-only decisions, indirectly connected nodes); that is
 * Pekko-internal API, pinned by the Pekko version in pom.xml.
 */
public final class QuorumDowningProvider extends DowningProvider {
  private final ActorSystem system;
  private final SplitBrainResolverSettings resolverSettings;

  public QuorumDowningProvider(ActorSystem system) {
    this.system = system;
    this.resolverSettings = new SplitBrainResolverSettings(system.settings().config());
  }

  @Override
  public FiniteDuration downRemovalMargin() {
    FiniteDuration margin = Cluster.get(system).settings().DownRemovalMargin();
    return margin.equals(Duration.Zero()) ? resolverSettings.DowningStableAfter() : margin;
  }

  @Override
  public Option<Props> downingActorProps() {
    Cluster cluster = Cluster.get(system);
    int quorum = NodeSettings.from(system.settings().config()).cluster().quorum();
    return Option.apply(SplitBrainResolver$.MODULE$.props(resolverSettings.DowningStableAfter(),
        new RunningQuorum(cluster.selfDataCenter(), quorum, cluster.selfUniqueAddress())));
  }

  /** The decision; Pekko's resolver gathers the membership and applies it. */
  static final class RunningQuorum extends DowningStrategy {
    private final int quorum;

    RunningQuorum(String selfDc, int quorum, org.apache.pekko.cluster.UniqueAddress self) {
      super(selfDc, self);
      this.quorum = quorum;
    }

    @Override
    public Option<String> role() {
      return Option.empty();
    }

    @Override
    public DowningStrategy.Decision decide() {
      if (hasIndirectlyConnected()) {
        return DowningStrategy.DownIndirectlyConnected$.MODULE$;
      }
      // A restarted node's new incarnation and its unreachable old one share an address: one node.
      Set<String> running = new HashSet<>();
      Set<String> reachable = new HashSet<>();
      for (Member member : CollectionConverters.asJava(allMembersInDC())) {
        if (member.status() == MemberStatus.down() || member.status() == MemberStatus.exiting()) {
          continue;
        }
        running.add(member.address().toString());
        if (!unreachable(member)) {
          reachable.add(member.address().toString());
        }
      }
      return decide(reachable.size(), running.size(), quorum);
    }

    /**
     * With more running nodes than the configured size, the quorum rises to a majority of them:
     * two sides can then never both have one (Pekko's static-quorum downs every node instead).
     */
    static DowningStrategy.Decision decide(int reachableNodes, int runningNodes, int quorum) {
      int needed = Math.max(quorum, runningNodes / 2 + 1);
      return reachableNodes >= needed ? DowningStrategy.DownUnreachable$.MODULE$ : DowningStrategy.DownReachable$.MODULE$;
    }
  }
}
