package io.vltava.metadata;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The ISR shrinks and expansions between two cluster states: a partition (of the same topic id in
 * both) whose ISR lost a member shrank, one whose ISR gained a member expanded; a change that does
 * both (a reassignment swapping replicas) counts once as each. New and deleted topics change no ISR.
 */
public record IsrChangeCount(int shrinks, int expands) {

  public static final IsrChangeCount NONE = new IsrChangeCount(0, 0);

  public static IsrChangeCount between(ClusterState before, ClusterState after) {
    int shrinks = 0;
    int expands = 0;
    for (TopicState topic : after.topics().values()) {
      TopicState previous = before.topics().get(topic.name());
      if (previous == null || !previous.topicId().equals(topic.topicId())) {
        continue;
      }
      int common = Math.min(previous.partitionCount(), topic.partitionCount());
      for (int p = 0; p < common; p++) {
        List<Integer> isrBefore = previous.partitions().get(p).isr();
        List<Integer> isrAfter = topic.partitions().get(p).isr();
        if (isrBefore.equals(isrAfter)) {
          continue;
        }
        Set<Integer> lost = new HashSet<>(isrBefore);
        lost.removeAll(isrAfter);
        Set<Integer> gained = new HashSet<>(isrAfter);
        gained.removeAll(isrBefore);
        shrinks += lost.isEmpty() ? 0 : 1;
        expands += gained.isEmpty() ? 0 : 1;
      }
    }
    return new IsrChangeCount(shrinks, expands);
  }

  public boolean isEmpty() {
    return shrinks == 0 && expands == 0;
  }
}
