package io.vltava.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vltava.group.GroupProtocol.Protocol;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtocolSelectionTest {
  private static List<Protocol> prefers(String... names) {
    return List.of(names).stream().map(n -> new Protocol(n, new byte[0])).toList();
  }

  @Test
  void onlyCommonProtocolsCountAndTheMostPreferredWins() {
    assertEquals("range", ProtocolSelection.select(List.of(
        prefers("cooperative-sticky", "range"), prefers("range"))));
    assertEquals("sticky", ProtocolSelection.select(List.of(
        prefers("range", "sticky"), prefers("sticky", "range"), prefers("sticky", "range"))));
    assertEquals("range", ProtocolSelection.select(List.of(prefers("range", "sticky"), prefers("sticky", "range"))),
        "a tie goes to the first member's choice");
  }

  @Test
  void membersWithoutACommonProtocolAreAnError() {
    assertThrows(IllegalArgumentException.class, () -> ProtocolSelection.select(List.of(prefers("a"), prefers("b"))));
  }
}
