package io.vltava.http.console;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Optional;

/**
 * Where to move an empty group's committed offsets, parsed from
 * {@code {"topic": "orders", "to": "earliest" | "latest" | "offset" | "timestamp", "offset": 42, "timestamp": 1700000000000}};
 * without a topic, every partition the group has committed in moves.
 */
record OffsetReset(Optional<String> topic, Target to, long value) {

  enum Target { EARLIEST, LATEST, OFFSET, TIMESTAMP }

  static OffsetReset parse(JsonNode body) {
    JsonBodies.requireObject(body);
    Optional<String> topic = JsonBodies.optionalText(body, "topic");
    String to = JsonBodies.requireText(body, "to");
    Target target;
    try {
      target = Target.valueOf(to.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("'to' must be earliest, latest, offset or timestamp, was '" + to + "'");
    }
    long value = 0;
    if (target == Target.OFFSET || target == Target.TIMESTAMP) {
      String field = target.name().toLowerCase(Locale.ROOT);
      value = JsonBodies.optionalLong(body, field).orElseThrow(() -> ApiException.badRequest("missing field '" + field + "'"));
      if (value < 0) {
        throw ApiException.badRequest("'" + field + "' must not be negative, was " + value);
      }
    }
    return new OffsetReset(topic, target, value);
  }

  /**
   * The new committed offset of a partition holding {@code [logStartOffset, endOffset)};
   * {@code offsetAtTimestamp} is the first offset at or after the timestamp, or -1 when there is none
   * (then the end, as Kafka's tool does). An offset outside the log moves to its nearest end.
   */
  long resolve(long logStartOffset, long endOffset, long offsetAtTimestamp) {
    long offset = switch (to) {
      case EARLIEST -> logStartOffset;
      case LATEST -> endOffset;
      case OFFSET -> value;
      case TIMESTAMP -> offsetAtTimestamp < 0 ? endOffset : offsetAtTimestamp;
    };
    return Math.max(logStartOffset, Math.min(endOffset, offset));
  }
}
