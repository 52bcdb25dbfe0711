package io.vltava.metadata;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A topic: its name, its id (which tells a re-created topic from the old one), its config overrides, and its partitions by index. */
public record TopicState(String name, UUID topicId, Map<String, String> configs, List<PartitionState> partitions) {

  public TopicState {
    configs = Map.copyOf(configs);
    partitions = List.copyOf(partitions);
  }

  public int partitionCount() {
    return partitions.size();
  }

  public TopicState withConfigs(Map<String, String> newConfigs) {
    return new TopicState(name, topicId, newConfigs, partitions);
  }

  public TopicState withPartitions(List<PartitionState> newPartitions) {
    return new TopicState(name, topicId, configs, newPartitions);
  }
}
