package io.vltava.clients;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What every client-matrix driver produces, shared by {@link KafkaClientsDriver} and
 * {@link ClientMatrixTest}; {@code src/test/clients/*} write the same records in Python and
 * JavaScript. Record n (numbered across phase 1, one block of {@link #RECORDS_PER_CODEC} per codec
 * in the given order, then phase 2, uncompressed) has key {@code key-n}, value
 * {@code value-n-CODEC-} plus a compressible filler, headers {@code seq=n} and {@code codec=CODEC},
 * and timestamp {@code base + n}.
 */
record MatrixPlan(String topic, String group, long baseTimestampMs, List<String> codecs) {
  static final int PARTITIONS = 3;
  static final int RECORDS_PER_CODEC = 40;
  static final int PHASE_TWO_RECORDS = 20;
  static final String DESCRIBED_CONFIG = "retention.ms";
  static final String DESCRIBED_CONFIG_VALUE = "86400000";
  private static final String FILLER = "vltava".repeat(10);

  record Record(int sequence, String codec, String key, String value, List<List<String>> headers, long timestamp) {}

  /** Parses {@code TOPIC GROUP BASE_TIMESTAMP_MS CODEC,CODEC,...} starting at {@code args[from]}. */
  static MatrixPlan fromArgs(String[] args, int from) {
    return new MatrixPlan(args[from], args[from + 1], Long.parseLong(args[from + 2]), Arrays.asList(args[from + 3].split(",")));
  }

  List<String> args() {
    return List.of(topic, group, Long.toString(baseTimestampMs), String.join(",", codecs));
  }

  int phaseOneCount() {
    return codecs.size() * RECORDS_PER_CODEC;
  }

  /** Phase 1: the block for {@code codec}; phase 2: {@link #PHASE_TWO_RECORDS} uncompressed records. */
  List<Record> records(String codec, int phase) {
    int first = phase == 1 ? codecs.indexOf(codec) * RECORDS_PER_CODEC : phaseOneCount();
    int count = phase == 1 ? RECORDS_PER_CODEC : PHASE_TWO_RECORDS;
    if (first < 0) {
      throw new IllegalArgumentException("codec " + codec + " is not in the plan " + codecs);
    }
    List<Record> records = new ArrayList<>();
    for (int n = first; n < first + count; n++) {
      records.add(new Record(n, codec, "key-" + n, "value-" + n + "-" + codec + "-" + FILLER,
          List.of(List.of("seq", Integer.toString(n)), List.of("codec", codec)), baseTimestampMs + n));
    }
    return records;
  }

  /** Every record of both phases, in sequence order. */
  List<Record> allRecords() {
    List<Record> all = new ArrayList<>();
    codecs.forEach(codec -> all.addAll(records(codec, 1)));
    all.addAll(records("none", 2));
    return all;
  }

  /** The timestamp offsetsForTimes is asked for: the middle of phase 1. */
  long timestampTarget() {
    return baseTimestampMs + phaseOneCount() / 2;
  }

  /** Writes one JSON object, from alternating names and values (strings, numbers, lists), as a line on stdout. */
  static void emit(Object... namesAndValues) {
    StringBuilder line = new StringBuilder("{");
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (i > 0) {
        line.append(',');
      }
      appendJson(line, namesAndValues[i]);
      line.append(':');
      appendJson(line, namesAndValues[i + 1]);
    }
    System.out.println(line.append('}'));
  }

  private static void appendJson(StringBuilder out, Object value) {
    if (value instanceof Number) {
      out.append(value);
    } else if (value instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        appendJson(out, list.get(i));
      }
      out.append(']');
    } else if (value == null) {
      out.append("null");
    } else {
      out.append('"');
      for (char c : value.toString().toCharArray()) {
        if (c == '"' || c == '\\') {
          out.append('\\').append(c);
        } else if (c < 0x20 || c > 0x7e) {
          out.append(String.format("\\u%04x", (int) c));
        } else {
          out.append(c);
        }
      }
      out.append('"');
    }
  }
}
