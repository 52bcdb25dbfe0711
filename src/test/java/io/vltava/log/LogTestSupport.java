package io.vltava.log;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Builders shared by the log tests, and a manual clock shared by every test that needs one. */
public final class LogTestSupport {
  private LogTestSupport() {}

  /** A clock tests move by hand, so time-based behaviour needs no sleeps. */
  public static final class ManualClock extends Clock {
    private long nowMs;

    public ManualClock(long nowMs) {
      this.nowMs = nowMs;
    }

    public void advance(long ms) {
      nowMs += ms;
    }

    @Override
    public long millis() {
      return nowMs;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(nowMs);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  /** Small segments and a dense index so few bytes exercise rolling and index lookups. */
  static LogConfig config(int segmentBytes, int indexIntervalBytes) {
    return new LogConfig(segmentBytes, Long.MAX_VALUE / 2, -1, -1, 1024 * 1024, indexIntervalBytes,
        10 * 1024 * 1024, Long.MAX_VALUE, Long.MAX_VALUE, TimestampType.CREATE_TIME);
  }

  static LogConfig with(LogConfig c, long segmentMs, long retentionMs, long retentionBytes) {
    return new LogConfig(c.segmentBytes(), segmentMs, retentionMs, retentionBytes, c.maxMessageBytes(),
        c.indexIntervalBytes(), c.segmentIndexBytes(), c.flushMessages(), c.flushMs(), c.timestampType());
  }

  static MemoryRecords batch(long timestampMs, String... values) {
    SimpleRecord[] records = new SimpleRecord[values.length];
    for (int i = 0; i < values.length; i++) {
      records[i] = new SimpleRecord(timestampMs, values[i].getBytes(StandardCharsets.UTF_8));
    }
    return MemoryRecords.withRecords(Compression.NONE, records);
  }

  static MemoryRecords idempotent(long producerId, short epoch, int firstSeq, String... values) {
    SimpleRecord[] records = new SimpleRecord[values.length];
    for (int i = 0; i < values.length; i++) {
      records[i] = new SimpleRecord(1000L, values[i].getBytes(StandardCharsets.UTF_8));
    }
    return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, firstSeq, records);
  }

  /** An offset and a value read back from the log. */
  record Entry(long offset, String value) {}

  static List<Entry> entries(MemoryRecords records) {
    List<Entry> out = new ArrayList<>();
    for (RecordBatch batch : records.batches()) {
      batch.ensureValid();
      for (Record record : batch) {
        out.add(new Entry(record.offset(), StandardCharsets.UTF_8.decode(record.value()).toString()));
      }
    }
    return out;
  }

  /** Every record from the log start offset to the log end offset, read in small fetches. */
  static List<Entry> readAll(PartitionLog log) throws IOException {
    List<Entry> out = new ArrayList<>();
    long offset = log.logStartOffset();
    while (offset < log.logEndOffset()) {
      FetchedRecords fetched = log.read(offset, 300, Long.MAX_VALUE);
      List<Entry> got = entries((MemoryRecords) fetched.records());
      if (got.isEmpty()) {
        throw new AssertionError("no progress reading at " + offset + " of " + log);
      }
      for (Entry e : got) {
        if (e.offset() >= offset) {
          out.add(e);
        }
      }
      offset = got.get(got.size() - 1).offset() + 1;
    }
    return out;
  }
}
