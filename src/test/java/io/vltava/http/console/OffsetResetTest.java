package io.vltava.http.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OffsetResetTest {
  private static final ObjectMapper json = new ObjectMapper();

  @Test
  void parsesTargets() throws Exception {
    assertEquals(new OffsetReset(Optional.empty(), OffsetReset.Target.EARLIEST, 0), parse("{\"to\":\"earliest\"}"));
    assertEquals(new OffsetReset(Optional.of("t"), OffsetReset.Target.OFFSET, 42), parse("{\"topic\":\"t\",\"to\":\"Offset\",\"offset\":\"42\"}"));
    assertEquals(new OffsetReset(Optional.empty(), OffsetReset.Target.TIMESTAMP, 1700000000000L),
        parse("{\"topic\":\"\",\"to\":\"timestamp\",\"timestamp\":1700000000000}"));
  }

  @Test
  void rejectsBadBodies() {
    assertBad("'to' must be earliest, latest, offset or timestamp", "{\"to\":\"yesterday\"}");
    assertBad("missing field 'offset'", "{\"to\":\"offset\"}");
    assertBad("'offset' must not be negative", "{\"to\":\"offset\",\"offset\":-1}");
    assertBad("field 'offset' must be a whole number", "{\"to\":\"offset\",\"offset\":1.5}");
    assertBad("missing field 'to'", "{}");
    assertBad("must be a JSON object", "[1]");
  }

  @Test
  void resolvesInsideTheLog() throws Exception {
    assertEquals(5, parse("{\"to\":\"earliest\"}").resolve(5, 20, -1));
    assertEquals(20, parse("{\"to\":\"latest\"}").resolve(5, 20, -1));
    assertEquals(12, parse("{\"to\":\"offset\",\"offset\":12}").resolve(5, 20, -1));
    assertEquals(20, parse("{\"to\":\"offset\",\"offset\":99}").resolve(5, 20, -1));
    assertEquals(5, parse("{\"to\":\"offset\",\"offset\":1}").resolve(5, 20, -1));
    assertEquals(9, parse("{\"to\":\"timestamp\",\"timestamp\":1}").resolve(5, 20, 9));
    assertEquals(20, parse("{\"to\":\"timestamp\",\"timestamp\":1}").resolve(5, 20, -1), "nothing that late: the end");
  }

  private static OffsetReset parse(String body) throws Exception {
    return OffsetReset.parse(json.readTree(body));
  }

  private static void assertBad(String message, String body) {
    ApiException e = assertThrows(ApiException.class, () -> {
      JsonNode node = json.readTree(body);
      OffsetReset.parse(node);
    });
    assertEquals(400, e.status());
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }
}
