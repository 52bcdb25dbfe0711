package io.vltava.group;

import io.vltava.group.GroupProtocol.Protocol;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kafka's choice of a group's protocol: among the protocols every member supports, each member
 * votes for the first of them in its own preference order; most votes wins, ties going to the
 * protocol the first member prefers.
 */
public final class ProtocolSelection {
  private ProtocolSelection() {}

  /** {@code preferences} holds each member's protocols, most preferred first; at least one protocol is common. */
  public static String select(List<List<Protocol>> preferences) {
    Set<String> common = null;
    for (List<Protocol> protocols : preferences) {
      Set<String> names = new HashSet<>();
      protocols.forEach(p -> names.add(p.name()));
      if (common == null) {
        common = names;
      } else {
        common.retainAll(names);
      }
    }
    if (common == null || common.isEmpty()) {
      throw new IllegalArgumentException("the members have no protocol in common");
    }
    Map<String, Integer> votes = new HashMap<>();
    String firstChoiceOfFirstMember = null;
    for (List<Protocol> protocols : preferences) {
      for (Protocol p : protocols) {
        if (common.contains(p.name())) {
          votes.merge(p.name(), 1, Integer::sum);
          if (firstChoiceOfFirstMember == null) {
            firstChoiceOfFirstMember = p.name();
          }
          break;
        }
      }
    }
    String winner = firstChoiceOfFirstMember;
    for (Map.Entry<String, Integer> vote : votes.entrySet()) {
      if (vote.getValue() > votes.get(winner)) {
        winner = vote.getKey();
      }
    }
    return winner;
  }
}
