package io.vltava.kafka;

import io.vltava.log.TopicConfigs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;

/** A topic's effective configs as CreateTopics and DescribeConfigs list them: value and where it came from. */
record TopicConfigEntries(String name, String value, ConfigSource source) {

  static List<TopicConfigEntries> of(TopicConfigs configs, Map<String, String> overrides) {
    List<TopicConfigEntries> entries = new ArrayList<>();
    configs.effective(overrides).forEach((name, value) -> entries.add(new TopicConfigEntries(
        name, value, overrides.containsKey(name) ? ConfigSource.TOPIC_CONFIG : ConfigSource.DEFAULT_CONFIG)));
    return entries;
  }
}
