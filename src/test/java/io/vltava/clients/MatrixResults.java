package io.vltava.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vltava.node.LogRecords.Kept;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * Checks what a driver reported against the {@link MatrixPlan}: every record produced once with
 * its key, value, headers and timestamp, stored in a batch of its codec, offsets contiguous and in
 * produce order per partition,
 * and each read (group, resume, beginning, from a timestamp) returning exactly the records it must,
 * byte for byte, in offset order.
 */
final class MatrixResults {
  /** A record as a driver reported it produced or consumed. */
  record Seen(String phase, String member, String codec, int partition, long offset, String key, String value, List<List<String>> headers,
              long timestamp) {
    Position position() {
      return new Position(partition, offset);
    }

    boolean sameContent(Seen other) {
      return key.equals(other.key) && value.equals(other.value) && headers.equals(other.headers) && timestamp == other.timestamp;
    }
  }

  record Position(int partition, long offset) {}

  private final MatrixPlan plan;
  private final List<JsonNode> events;
  private final Map<Position, Seen> produced = new HashMap<>();

  private MatrixResults(MatrixPlan plan, List<JsonNode> events) {
    this.plan = plan;
    this.events = events;
  }

  /**
   * Runs every check on the events of the first (produce-and-group) and second (resume) driver
   * runs, and of the reference client's read between them.
   */
  static void check(MatrixPlan plan, String clientVersion, List<JsonNode> firstRun, List<JsonNode> reference,
                    List<JsonNode> secondRun) {
    checkFinished(clientVersion, firstRun);
    checkFinished(clientVersion, secondRun);
    List<JsonNode> all = new ArrayList<>(firstRun);
    all.addAll(reference);
    all.addAll(secondRun);
    MatrixResults results = new MatrixResults(plan, all);
    assertEquals(1, count(all, "created"));
    results.checkProduced();
    Map<Integer, Long> committed = results.checkGroup();
    results.checkResume(committed);
    results.checkReadFromBeginning("reference");
    results.checkReadFromBeginning("beginning");
    results.checkFromTimestamp();
    results.checkDescribedAndDeleted();
  }

  /**
   * The read of the compacted topic: in each partition exactly the records the node's log kept, at
   * their original offsets, strictly increasing, with the gaps compaction left.
   */
  static void checkCompactedRead(String clientVersion, List<JsonNode> run, Map<Integer, List<Kept>> survivors) {
    checkFinished(clientVersion, run);
    Map<Integer, List<Kept>> read = new TreeMap<>();
    for (JsonNode e : run.stream().filter(e -> "consumed".equals(e.get("event").asText())).toList()) {
      assertEquals("compacted", e.get("phase").asText());
      read.computeIfAbsent(e.get("partition").asInt(), p -> new ArrayList<>())
          .add(new Kept(e.get("offset").asLong(), e.get("key").asText(), e.get("value").isNull() ? null : e.get("value").asText()));
    }
    assertEquals(survivors, read, "the compacted topic as read");
    read.forEach((partition, records) -> {
      for (int i = 1; i < records.size(); i++) {
        assertTrue(records.get(i - 1).offset() < records.get(i).offset(), "offsets increase in partition " + partition + ": " + records);
      }
      long span = records.get(records.size() - 1).offset() + 1;
      assertTrue(span > records.size(), "partition " + partition + " read with gaps from offset 0: " + records);
    });
  }

  private static void checkFinished(String clientVersion, List<JsonNode> run) {
    assertEquals(1, count(run, "done"), "the run finished");
    List<String> versions = run.stream().filter(e -> "client".equals(e.get("event").asText()))
        .map(e -> e.get("version").asText()).toList();
    assertEquals(List.of(clientVersion), versions, "the client version the driver ran");
  }

  private void checkProduced() {
    Map<String, MatrixPlan.Record> planned = plan.allRecords().stream()
        .collect(Collectors.toMap(MatrixPlan.Record::key, r -> r));
    List<Seen> reported = seen("produced", null);
    Map<String, String> storedCodecs = new HashMap<>();
    events("stored").forEach(e -> assertEquals(null, storedCodecs.put(e.get("key").asText(), e.get("codec").asText()),
        "key " + e.get("key").asText() + " stored twice"));
    assertEquals(planned.size(), reported.size(), "records produced");
    Map<Integer, List<Seen>> byPartition = new TreeMap<>();
    for (Seen record : reported) {
      MatrixPlan.Record expected = planned.get(record.key());
      assertNotNull(expected, "produced an unplanned key " + record.key());
      assertEquals(expected.value(), record.value());
      assertEquals(expected.headers(), record.headers());
      assertEquals(expected.timestamp(), record.timestamp());
      assertEquals(expected.codec(), record.codec());
      assertEquals(expected.codec(), storedCodecs.get(record.key()), "the codec of the batch holding " + record.key());
      assertEquals(null, produced.put(record.position(), record), "two records at " + record.position());
      byPartition.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record);
    }
    assertEquals(MatrixPlan.PARTITIONS, byPartition.size(), "records in every partition: " + byPartition.keySet());
    // Produced in sequence order, so each partition's offsets are 0, 1, 2, ... in that order.
    byPartition.forEach((partition, records) -> {
      records.sort((a, b) -> Integer.compare(sequence(a), sequence(b)));
      assertEquals(LongStream.range(0, records.size()).boxed().toList(), records.stream().map(Seen::offset).toList(),
          "offsets of partition " + partition + " in produce order");
    });
  }

  /** Two members, each reading only its own partitions, together every phase-1 record once; returns the commits. */
  private Map<Integer, Long> checkGroup() {
    Map<String, Set<Integer>> assignments = new HashMap<>();
    for (JsonNode event : events("assigned")) {
      Set<Integer> partitions = new TreeSet<>();
      event.get("partitions").forEach(p -> partitions.add(p.asInt()));
      assertFalse(partitions.isEmpty(), "member " + event.get("member").asText() + " got no partition");
      assertEquals(null, assignments.put(event.get("member").asText(), partitions));
    }
    assertEquals(2, assignments.size(), "two group members: " + assignments);
    Set<Integer> union = new HashSet<>();
    assignments.values().forEach(union::addAll);
    assertEquals(allPartitions(), union, "the members share the partitions: " + assignments);
    assertEquals(MatrixPlan.PARTITIONS, assignments.values().stream().mapToInt(Set::size).sum(), "disjoint: " + assignments);

    List<Seen> consumed = seen("consumed", "group");
    for (Seen record : consumed) {
      assertTrue(assignments.get(record.member()).contains(record.partition()),
          record.member() + " read partition " + record.partition() + " outside its assignment " + assignments);
    }
    assertReadExactly(consumed, positions(seq -> seq < plan.phaseOneCount()), "group");

    Map<Integer, Long> committed = new TreeMap<>();
    events("committed").forEach(e -> assertEquals(null, committed.put(e.get("partition").asInt(), e.get("offset").asLong())));
    Map<Integer, Long> phaseOneEnds = new TreeMap<>();
    allPartitions().forEach(p -> phaseOneEnds.put(p, (long) positions(seq -> seq < plan.phaseOneCount()).stream()
        .filter(pos -> pos.partition() == p).count()));
    assertEquals(phaseOneEnds, committed, "committed offsets are the ends of phase 1");
    return committed;
  }

  private void checkResume(Map<Integer, Long> committed) {
    List<Seen> consumed = seen("consumed", "resume");
    assertReadExactly(consumed, positions(seq -> seq >= plan.phaseOneCount()), "resume");
    Map<Integer, Long> firstRead = new TreeMap<>();
    consumed.forEach(r -> firstRead.putIfAbsent(r.partition(), r.offset()));
    firstRead.forEach((partition, offset) ->
        assertEquals(committed.get(partition), offset, "resumed partition " + partition + " at its committed offset"));
  }

  /** The driver's read from the beginning, or the reference client's read of the whole topic. */
  private void checkReadFromBeginning(String phase) {
    assertReadExactly(seen("consumed", phase), produced.keySet(), phase);
  }

  private void checkFromTimestamp() {
    long target = plan.timestampTarget();
    Map<Integer, Long> expected = new TreeMap<>();
    for (int partition : allPartitions()) {
      expected.put(partition, produced.values().stream()
          .filter(r -> r.partition() == partition && r.timestamp() >= target)
          .mapToLong(Seen::offset).min().orElse(-1));
    }
    Map<Integer, Long> answered = new TreeMap<>();
    events("offsetForTime").forEach(e -> answered.put(e.get("partition").asInt(), e.get("offset").asLong()));
    assertEquals(expected, answered, "offsets for timestamp " + target);
    Set<Position> fromTime = produced.keySet().stream()
        .filter(pos -> expected.get(pos.partition()) >= 0 && pos.offset() >= expected.get(pos.partition()))
        .collect(Collectors.toSet());
    assertReadExactly(seen("consumed", "fromTime"), fromTime, "fromTime");
  }

  private void checkDescribedAndDeleted() {
    List<JsonNode> described = events("described");
    assertEquals(1, described.size());
    assertEquals(MatrixPlan.PARTITIONS, described.get(0).get("partitions").asInt());
    assertEquals(MatrixPlan.DESCRIBED_CONFIG_VALUE, described.get(0).get("config").asText());
    assertEquals(1, events("deleted").size(), "the topic was deleted");
  }

  /** Exactly {@code expected}, each once, with the produced content, in offset order per partition and member. */
  private void assertReadExactly(List<Seen> consumed, Set<Position> expected, String phase) {
    Set<Position> read = new HashSet<>();
    Map<String, Long> lastOffset = new HashMap<>();
    for (Seen record : consumed) {
      assertTrue(read.add(record.position()), phase + " read " + record.position() + " twice");
      Seen original = produced.get(record.position());
      assertNotNull(original, phase + " read " + record.position() + ", which was never produced");
      assertTrue(original.sameContent(record), phase + " read " + record + " but " + original + " was produced there");
      String stream = record.member() + "/" + record.partition();
      Long previous = lastOffset.put(stream, record.offset());
      assertTrue(previous == null || previous < record.offset(), phase + " read " + stream + " out of order at " + record.offset());
    }
    Set<Position> missed = new HashSet<>(expected);
    missed.removeAll(read);
    Set<Position> unexpected = new HashSet<>(read);
    unexpected.removeAll(expected);
    assertTrue(missed.isEmpty() && unexpected.isEmpty(), phase + " read " + read.size() + " of " + expected.size()
        + " records; missed " + firstFew(missed) + ", read unexpectedly " + firstFew(unexpected));
  }

  private static List<String> firstFew(Set<Position> positions) {
    return positions.stream().sorted(Comparator.comparingInt(Position::partition).thenComparingLong(Position::offset))
        .limit(10).map(p -> p.partition() + ":" + p.offset()).toList();
  }

  private Set<Position> positions(IntPredicate sequence) {
    return produced.values().stream().filter(r -> sequence.test(sequence(r))).map(Seen::position).collect(Collectors.toSet());
  }

  private static Set<Integer> allPartitions() {
    return IntStream.range(0, MatrixPlan.PARTITIONS).boxed().collect(Collectors.toSet());
  }

  private static int sequence(Seen record) {
    return Integer.parseInt(record.headers().get(0).get(1));
  }

  private List<Seen> seen(String event, String phase) {
    List<Seen> records = new ArrayList<>();
    for (JsonNode e : events(event)) {
      if (phase != null && !phase.equals(e.get("phase").asText())) {
        continue;
      }
      List<List<String>> headers = new ArrayList<>();
      e.get("headers").forEach(h -> headers.add(List.of(h.get(0).asText(), h.get(1).asText())));
      records.add(new Seen(e.path("phase").asText(), e.path("member").asText(), e.path("codec").asText(), e.get("partition").asInt(),
          e.get("offset").asLong(), e.get("key").asText(), e.get("value").asText(), headers, e.get("timestamp").asLong()));
    }
    return records;
  }

  private List<JsonNode> events(String name) {
    return events.stream().filter(e -> name.equals(e.get("event").asText())).toList();
  }

  private static long count(List<JsonNode> events, String name) {
    return events.stream().filter(e -> name.equals(e.get("event").asText())).count();
  }
}
