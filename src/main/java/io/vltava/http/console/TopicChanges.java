package io.vltava.http.console;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;

/** The console's topic changes parsed from their JSON bodies into kafka-clients' Admin types. */
final class TopicChanges {
  private TopicChanges() {}

  /**
   * {@code {"name": "orders", "partitions": 3, "replicationFactor": 1, "configs": {"retention.ms": "60000"}}};
   * partitions and replication factor left out take the cluster's defaults. The name's rules are the node's.
   */
  static NewTopic newTopic(JsonNode body) {
    JsonBodies.requireObject(body);
    String name = JsonBodies.requireText(body, "name");
    Optional<Integer> partitions = boxed(JsonBodies.optionalInt(body, "partitions", 1, 100_000));
    Optional<Short> replicationFactor = boxed(JsonBodies.optionalInt(body, "replicationFactor", 1, Short.MAX_VALUE)).map(Integer::shortValue);
    return new NewTopic(name, partitions, replicationFactor).configs(JsonBodies.stringMap(body, "configs"));
  }

  /** {@code {"set": {"retention.ms": "60000"}, "delete": ["cleanup.policy"]}}: set some configs, return others to their defaults. */
  static List<AlterConfigOp> configChanges(JsonNode body) {
    JsonBodies.requireObject(body);
    Map<String, String> set = JsonBodies.stringMap(body, "set");
    List<String> delete = JsonBodies.stringList(body, "delete");
    List<AlterConfigOp> changes = new ArrayList<>();
    set.forEach((name, value) -> changes.add(new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET)));
    for (String name : delete) {
      if (set.containsKey(name)) {
        throw ApiException.badRequest("config '" + name + "' is both set and deleted");
      }
      changes.add(new AlterConfigOp(new ConfigEntry(name, null), AlterConfigOp.OpType.DELETE));
    }
    if (changes.isEmpty()) {
      throw ApiException.badRequest("no config changes: give 'set' and/or 'delete'");
    }
    return changes;
  }

  private static Optional<Integer> boxed(java.util.OptionalInt value) {
    return value.isPresent() ? Optional.of(value.getAsInt()) : Optional.empty();
  }
}
