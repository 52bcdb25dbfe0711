package io.vltava.kafka;

import io.vltava.log.TopicConfigs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * A topic's effective configs as CreateTopics and DescribeConfigs list them: value, where it came
 * from, and the broker default an override hides (set in the node's configuration, or built in).
 */
record TopicConfigEntries(String name, String value, ConfigSource source, String defaultValue, ConfigSource defaultSource) {

  static List<TopicConfigEntries> of(TopicConfigs configs, Map<String, String> overrides) {
    List<TopicConfigEntries> entries = new ArrayList<>();
    configs.effective(overrides).forEach((name, value) -> {
      ConfigSource defaultSource = configs.setByOperator(name) ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG;
      entries.add(new TopicConfigEntries(name, value, overrides.containsKey(name) ? ConfigSource.TOPIC_CONFIG : defaultSource,
          configs.defaultValue(name), defaultSource));
    });
    return entries;
  }

  /** Every value that applies, the effective one first: the topic's override, if any, then the broker default. */
  List<DescribeConfigsSynonym> synonyms() {
    List<DescribeConfigsSynonym> synonyms = new ArrayList<>();
    if (source == ConfigSource.TOPIC_CONFIG) {
      synonyms.add(new DescribeConfigsSynonym().setName(name).setValue(value).setSource(source.id()));
    }
    synonyms.add(new DescribeConfigsSynonym().setName(name).setValue(defaultValue).setSource(defaultSource.id()));
    return synonyms;
  }

  byte configType() {
    return ConfigType.valueOf(TopicConfigs.type(name).name()).id();
  }

  String documentation() {
    return TopicConfigs.documentation(name);
  }
}
