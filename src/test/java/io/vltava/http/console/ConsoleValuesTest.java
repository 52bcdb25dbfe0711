package io.vltava.http.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vltava.http.Throughput;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The small value classes behind the console's pages: record text, throughput rates, the node table, the API's paths. */
class ConsoleValuesTest {

  @Test
  void recordTextIsUtf8OrElseBase64() {
    assertEquals(new RecordText("žluťoučký kůň", RecordText.UTF8), RecordText.of("žluťoučký kůň".getBytes(StandardCharsets.UTF_8)));
    assertEquals(new RecordText("/wD+", RecordText.BASE64), RecordText.of(new byte[] {(byte) 0xff, 0x00, (byte) 0xfe}));
    assertEquals(new RecordText("", RecordText.UTF8), RecordText.of(new byte[0]));
    assertNull(RecordText.of(null));
  }

  @Test
  void throughputRatesBetweenSamples() {
    ThroughputHistory history = new ThroughputHistory(3);
    history.add(new Throughput(1000, 0, 0, 0, 0));
    history.add(new Throughput(2000, 10, 1000, 4, 500));
    history.add(new Throughput(2000, 99, 99, 99, 99));
    history.add(new Throughput(4000, 30, 3000, 12, 300));
    assertEquals(List.of(
        new ThroughputHistory.Rate(2000, 10, 1000, 4, 500),
        new ThroughputHistory.Rate(4000, 10, 1000, 4, 0)), history.rates(), "a repeated time is dropped; a counter going down is 0/s");
    history.add(new Throughput(5000, 31, 3000, 12, 300));
    assertEquals(2, history.rates().size(), "only the last 3 samples are kept");
    assertEquals(new ThroughputHistory.Rate(5000, 1, 0, 0, 0), history.rates().get(1));
  }

  @Test
  void nodesJoinMembersWithBrokers() {
    List<ClusterNodes.Node> nodes = ClusterNodes.join(
        List.of(new ClusterNodes.Broker(2, "h2", 9093), new ClusterNodes.Broker(1, "h1", 9092), new ClusterNodes.Broker(4, "h4", 9095)),
        2,
        List.of(new ClusterNodes.Member(null, "pekko://vltava@c:7000", List.of("controller"), "up"),
            new ClusterNodes.Member(1, "pekko://vltava@h1:7001", List.of("broker", "controller"), "up"),
            new ClusterNodes.Member(2, "pekko://vltava@h2:7002", List.of("broker"), "unreachable")),
        1);
    assertEquals(List.of(
        new ClusterNodes.Node(1, "h1:9092", "pekko://vltava@h1:7001", List.of("broker", "controller"), "up", false, true),
        new ClusterNodes.Node(2, "h2:9093", "pekko://vltava@h2:7002", List.of("broker"), "unreachable", true, false),
        new ClusterNodes.Node(4, "h4:9095", null, List.of(), "unknown", false, false),
        new ClusterNodes.Node(null, null, "pekko://vltava@c:7000", List.of("controller"), "up", false, false)), nodes);
  }

  @Test
  void apiPathSegmentsAreDecoded() {
    assertEquals(List.of("groups", "my group/1", "reset-offsets"), ConsoleApi.segments("/api/groups/my%20group%2F1/reset-offsets/"));
    assertEquals(List.of(), ConsoleApi.segments("/api/"));
  }
}
