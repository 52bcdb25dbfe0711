package io.vltava.http.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BrowseQueryTest {

  @Test
  void parsesEachWayToStart() {
    BrowseQuery fromOffset = BrowseQuery.parse(QueryParameters.parse("topic=orders%2Eeu&partition=2&offset=17&limit=5"), 500);
    assertEquals(new BrowseQuery("orders.eu", 2, new BrowseQuery.FromOffset(17), 5), fromOffset);
    assertEquals(new BrowseQuery.FromTimestamp(1700000000000L),
        BrowseQuery.parse(QueryParameters.parse("topic=t&timestamp=1700000000000"), 500).start());
    BrowseQuery newest = BrowseQuery.parse(QueryParameters.parse("topic=t&offset="), 500);
    assertEquals(new BrowseQuery("t", 0, new BrowseQuery.Newest(), BrowseQuery.DEFAULT_LIMIT), newest);
  }

  @Test
  void rejectsBadInputNamingIt() {
    assertBad("missing parameter 'topic'", "partition=0");
    assertBad("give either offset or timestamp", "topic=t&offset=1&timestamp=2");
    assertBad("offset must not be negative", "topic=t&offset=-5");
    assertBad("'partition' must be a whole number", "topic=t&partition=one");
    assertBad("partition must be between", "topic=t&partition=-1");
    assertBad("limit must be between 1 and 500", "topic=t&limit=501");
    assertBad("limit must be between 1 and 500", "topic=t&limit=0");
    assertBad("malformed URL encoding", "topic=%zz");
  }

  @Test
  void startOffsetStaysInsideTheLog() {
    BrowseQuery fromOffset = new BrowseQuery("t", 0, new BrowseQuery.FromOffset(3), 10);
    assertEquals(3, fromOffset.startOffset(0, 100, -1));
    assertEquals(20, fromOffset.startOffset(20, 100, -1), "below the log start: its start");
    assertEquals(2, new BrowseQuery("t", 0, new BrowseQuery.FromOffset(9), 10).startOffset(0, 2, -1), "beyond the end: the end");
    assertEquals(42, new BrowseQuery("t", 0, new BrowseQuery.FromTimestamp(5), 10).startOffset(0, 100, 42));
    assertEquals(90, new BrowseQuery("t", 0, new BrowseQuery.Newest(), 10).startOffset(0, 100, -1));
    assertEquals(4, new BrowseQuery("t", 0, new BrowseQuery.Newest(), 10).startOffset(4, 8, -1), "fewer than limit: from the start");
  }

  private static void assertBad(String message, String query) {
    ApiException e = assertThrows(ApiException.class, () -> BrowseQuery.parse(QueryParameters.parse(query), 500));
    assertEquals(400, e.status());
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }
}
