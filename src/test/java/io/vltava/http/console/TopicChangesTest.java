package io.vltava.http.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

class TopicChangesTest {
  private static final ObjectMapper json = new ObjectMapper();

  @Test
  void newTopicWithAndWithoutItsNumbers() throws Exception {
    NewTopic full = TopicChanges.newTopic(json.readTree(
        "{\"name\":\" orders \",\"partitions\":\"3\",\"replicationFactor\":2,\"configs\":{\"retention.ms\":60000}}"));
    assertEquals("orders", full.name());
    assertEquals(3, full.numPartitions());
    assertEquals(2, full.replicationFactor());
    assertEquals(Map.of("retention.ms", "60000"), full.configs());
    NewTopic defaults = TopicChanges.newTopic(json.readTree("{\"name\":\"t\",\"partitions\":null,\"replicationFactor\":\"\"}"));
    assertEquals(new NewTopic("t", Optional.empty(), Optional.empty()).configs(Map.of()), defaults);
  }

  @Test
  void configChangesSetAndDelete() throws Exception {
    List<AlterConfigOp> changes = TopicChanges.configChanges(json.readTree("{\"set\":{\"a\":\"1\"},\"delete\":[\"b\"]}"));
    assertEquals(2, changes.size());
    assertEquals(AlterConfigOp.OpType.SET, changes.get(0).opType());
    assertEquals("1", changes.get(0).configEntry().value());
    assertEquals(AlterConfigOp.OpType.DELETE, changes.get(1).opType());
    assertEquals("b", changes.get(1).configEntry().name());
  }

  @Test
  void rejectsBadBodies() {
    assertBad("no config changes", "{}");
    assertBad("'a' is both set and deleted", "{\"set\":{\"a\":\"1\"},\"delete\":[\"a\"]}");
    assertBad("'delete' must be an array of strings", "{\"delete\":\"a\"}");
    assertBad("value of 'a' in 'set' must be a string", "{\"set\":{\"a\":{\"nested\":1}}}");
  }

  private static void assertBad(String message, String body) {
    ApiException e = assertThrows(ApiException.class, () -> TopicChanges.configChanges(json.readTree(body)));
    assertEquals(400, e.status());
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }
}
