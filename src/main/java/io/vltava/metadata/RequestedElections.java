package io.vltava.metadata;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.protocol.Errors;

/**
 * Leader elections an operator asks for (Kafka's ElectLeaders, {@code kafka-leader-election}), as
 * one pure decision over the cluster state. A preferred election moves leadership to the first
 * assigned replica when it is alive and in sync; an unclean one gives a leaderless partition a
 * leader, from the live in-sync replicas if any, else from any live replica (whose log then defines
 * what is committed: records only the lost replicas had are gone).
 */
public final class RequestedElections {
  private RequestedElections() {}

  public enum Type { PREFERRED, UNCLEAN }

  public record PartitionId(String topic, int partition) {}

  /** One partition's answer: NONE when it got a new leader, else why not. */
  public record Outcome(String topic, int partition, short errorCode, String errorMessage) implements CborSerializable {
    static Outcome of(PartitionId id, Errors error, String message) {
      return new Outcome(id.topic(), id.partition(), error.code(), message);
    }
  }

  /** The state after the elections, and one outcome per partition asked for. */
  public record Result(ClusterState state, List<Outcome> outcomes) {}

  /**
   * Runs {@code type} elections for {@code partitions}, or for every partition when it is empty;
   * then, as Kafka does, only partitions whose election was needed are reported.
   */
  public static Result elect(ClusterState state, Type type, Optional<List<PartitionId>> partitions) {
    List<PartitionId> asked = partitions.orElseGet(() -> allPartitions(state));
    Map<String, List<PartitionState>> changed = new HashMap<>();
    List<Outcome> outcomes = new ArrayList<>();
    Set<Integer> live = state.brokers().keySet();
    for (PartitionId id : asked) {
      Optional<PartitionState> current = state.topic(id.topic())
          .filter(t -> id.partition() >= 0 && id.partition() < t.partitionCount())
          .map(t -> t.partitions().get(id.partition()));
      if (current.isEmpty()) {
        outcomes.add(Outcome.of(id, Errors.UNKNOWN_TOPIC_OR_PARTITION, "No such partition as " + id.topic() + "-" + id.partition() + "."));
        continue;
      }
      Decision decision = decide(current.get(), type, live);
      if (decision.elected().isPresent()) {
        changed.computeIfAbsent(id.topic(), name -> new ArrayList<>(state.topic(name).orElseThrow().partitions()))
            .set(id.partition(), decision.elected().get());
        outcomes.add(Outcome.of(id, Errors.NONE, null));
      } else if (partitions.isPresent() || decision.error() != Errors.ELECTION_NOT_NEEDED) {
        outcomes.add(Outcome.of(id, decision.error(), decision.reason(id)));
      }
    }
    if (changed.isEmpty()) {
      return new Result(state, outcomes);
    }
    Map<String, TopicState> topics = new HashMap<>(state.topics());
    changed.forEach((name, list) -> topics.put(name, topics.get(name).withPartitions(list)));
    return new Result(state.withTopics(topics), outcomes);
  }

  /** The partition with its new leader, or the error saying why there is none. */
  record Decision(Optional<PartitionState> elected, Errors error, String why) {
    static Decision refused(Errors error, String why) {
      return new Decision(Optional.empty(), error, why);
    }

    String reason(PartitionId id) {
      return why == null ? null : id.topic() + "-" + id.partition() + ": " + why;
    }
  }

  static Decision decide(PartitionState p, Type type, Set<Integer> live) {
    if (type == Type.PREFERRED) {
      int preferred = p.replicas().get(0);
      if (p.leader() == preferred) {
        return Decision.refused(Errors.ELECTION_NOT_NEEDED, "the preferred replica " + preferred + " already leads.");
      }
      if (!live.contains(preferred)) {
        return Decision.refused(Errors.PREFERRED_LEADER_NOT_AVAILABLE, "the preferred replica " + preferred + " is not alive.");
      }
      if (!p.isr().contains(preferred)) {
        return Decision.refused(Errors.PREFERRED_LEADER_NOT_AVAILABLE,
            "the preferred replica " + preferred + " is not in the ISR " + p.isr() + ".");
      }
      return new Decision(Optional.of(LeaderElection.withLeader(p, Optional.of(preferred))), Errors.NONE, null);
    }
    if (p.hasLeader()) {
      return Decision.refused(Errors.ELECTION_NOT_NEEDED, "broker " + p.leader() + " already leads.");
    }
    Optional<Integer> leader = LeaderElection.elect(p, live, true);
    if (leader.isEmpty()) {
      return Decision.refused(Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE, "none of the replicas " + p.replicas() + " is alive.");
    }
    return new Decision(Optional.of(LeaderElection.withLeader(p, leader)), Errors.NONE, null);
  }

  private static List<PartitionId> allPartitions(ClusterState state) {
    List<PartitionId> all = new ArrayList<>();
    state.topics().values().forEach(topic -> {
      for (int p = 0; p < topic.partitionCount(); p++) {
        all.add(new PartitionId(topic.name(), p));
      }
    });
    return all;
  }
}
