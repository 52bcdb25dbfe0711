package io.vltava.http.console;

/**
 * What the message browser reads: up to {@code limit} records of one partition, from an offset,
 * from the first record at or after a timestamp, or the newest ones. Parsed from a query string
 * ({@code topic}, {@code partition}, {@code offset} or {@code timestamp}, {@code limit}); bad
 * input is an {@link ApiException} with status 400. The limit is at most the console's
 * {@code browse-max-records}, which bounds the records held in memory and sent for one browse.
 */
record BrowseQuery(String topic, int partition, Start start, int limit) {
  static final int DEFAULT_LIMIT = 50;

  sealed interface Start {}

  record FromOffset(long offset) implements Start {}

  record FromTimestamp(long timestampMs) implements Start {}

  /** The last {@code limit} records before the end of the partition. */
  record Newest() implements Start {}

  static BrowseQuery parse(QueryParameters query, int maxLimit) {
    String topic = query.require("topic");
    long partition = query.getLong("partition").orElse(0L);
    if (partition < 0 || partition > Integer.MAX_VALUE) {
      throw ApiException.badRequest("partition must be between 0 and " + Integer.MAX_VALUE + ", was " + partition);
    }
    long limit = query.getLong("limit").orElse((long) Math.min(DEFAULT_LIMIT, maxLimit));
    if (limit < 1 || limit > maxLimit) {
      throw ApiException.badRequest("limit must be between 1 and " + maxLimit + ", was " + limit);
    }
    var offset = query.getLong("offset");
    var timestamp = query.getLong("timestamp");
    if (offset.isPresent() && timestamp.isPresent()) {
      throw ApiException.badRequest("give either offset or timestamp, not both");
    }
    Start start = new Newest();
    if (offset.isPresent()) {
      if (offset.get() < 0) {
        throw ApiException.badRequest("offset must not be negative, was " + offset.get());
      }
      start = new FromOffset(offset.get());
    } else if (timestamp.isPresent()) {
      if (timestamp.get() < 0) {
        throw ApiException.badRequest("timestamp must be milliseconds since the epoch, was " + timestamp.get());
      }
      start = new FromTimestamp(timestamp.get());
    }
    return new BrowseQuery(topic, (int) partition, start, (int) limit);
  }

  /**
   * The offset to read from in a partition holding {@code [logStartOffset, endOffset)};
   * {@code offsetAtTimestamp} is the first offset at or after the timestamp ({@code endOffset} when
   * none is), only used for {@link FromTimestamp}. An offset outside the log is moved to its nearest end.
   */
  long startOffset(long logStartOffset, long endOffset, long offsetAtTimestamp) {
    long offset;
    if (start instanceof FromOffset from) {
      offset = from.offset();
    } else if (start instanceof FromTimestamp) {
      offset = offsetAtTimestamp;
    } else {
      offset = endOffset - limit;
    }
    return Math.max(logStartOffset, Math.min(endOffset, offset));
  }
}
