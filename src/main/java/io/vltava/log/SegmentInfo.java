package io.vltava.log;

/**
 * What retention and the log cleaner need to know of one segment, taken at one moment:
 * its offsets [{@code baseOffset}, {@code endOffset}) — the end is the next segment's base offset,
 * or the log end offset for the active segment, so a cleaned segment with gaps still covers its
 * range — its size, its largest record timestamp (-1 if none), the time retention.ms compares and
 * its first batch's largest timestamp (-1 if none), which max.compaction.lag.ms counts from.
 */
record SegmentInfo(long baseOffset, long endOffset, int sizeBytes, long maxTimestampMs, long retentionTimestampMs,
    long firstBatchTimestampMs) {}
