package io.vltava.log;

import com.typesafe.config.Config;

/** The node's log-cleaner settings ({@code vltava.log-cleaner}, Kafka's broker names). Immutable. */
public record CleanerConfig(
    boolean enabled, // log.cleaner.enable
    int threads, // log.cleaner.threads
    long dedupeBufferBytes, // log.cleaner.dedupe.buffer.size, shared by the threads
    double loadFactor, // log.cleaner.io.buffer.load.factor
    int ioBufferBytes, // log.cleaner.io.buffer.size
    double ioMaxBytesPerSecond, // log.cleaner.io.max.bytes.per.second, all threads together
    long backoffMs) { // log.cleaner.backoff.ms

  public static CleanerConfig from(Config logCleaner) {
    CleanerConfig config = new CleanerConfig(
        logCleaner.getBoolean("log.cleaner.enable"),
        logCleaner.getInt("log.cleaner.threads"),
        logCleaner.getLong("log.cleaner.dedupe.buffer.size"),
        logCleaner.getDouble("log.cleaner.io.buffer.load.factor"),
        logCleaner.getInt("log.cleaner.io.buffer.size"),
        logCleaner.getDouble("log.cleaner.io.max.bytes.per.second"),
        logCleaner.getLong("log.cleaner.backoff.ms"));
    if (config.threads < 1 || config.dedupeBufferBytes < (long) OffsetMap.ENTRY_BYTES * config.threads * 2
        || config.loadFactor <= 0 || config.loadFactor > 1 || config.ioBufferBytes < 1024
        || config.ioMaxBytesPerSecond <= 0 || config.backoffMs < 0) {
      throw new IllegalArgumentException("invalid vltava.log-cleaner settings: " + config);
    }
    return config;
  }
}
