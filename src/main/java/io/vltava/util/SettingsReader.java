package io.vltava.util;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * Reads the settings of one section of the node's configuration (such as {@code vltava.replication})
 * by their full path, so that a missing, ill-typed or out-of-range value stops start-up with a
 * message naming the whole key. The settings classes of each package use it.
 */
public final class SettingsReader {
  private final Config config;
  private final String section;

  public SettingsReader(Config config, String section) {
    this.config = config;
    this.section = section;
  }

  public String path(String key) {
    return section + "." + key;
  }

  /** A HOCON duration ({@code 10s}, {@code 500ms}) greater than zero. */
  public Duration positiveDuration(String key) {
    Duration value = config.getDuration(path(key));
    if (value.isZero() || value.isNegative()) {
      throw new ConfigException.BadValue(path(key), "must be a positive duration, was " + value);
    }
    return value;
  }

  /** A HOCON duration, zero allowed. */
  public Duration nonNegativeDuration(String key) {
    Duration value = config.getDuration(path(key));
    if (value.isNegative()) {
      throw new ConfigException.BadValue(path(key), "must not be negative, was " + value);
    }
    return value;
  }

  /** A Kafka-style {@code *.ms} setting: a whole number of milliseconds, at least {@code minMs}. */
  public Duration millis(String key, long minMs) {
    long value = config.getLong(path(key));
    if (value < minMs) {
      throw new ConfigException.BadValue(path(key), "must be at least " + minMs + " ms, was " + value);
    }
    return Duration.ofMillis(value);
  }

  /** An int of at least {@code min}; sizes accept HOCON byte units only where reference.conf uses them. */
  public int intAtLeast(String key, int min) {
    int value = config.getInt(path(key));
    if (value < min) {
      throw new ConfigException.BadValue(path(key), "must be at least " + min + ", was " + value);
    }
    return value;
  }

  public boolean bool(String key) {
    return config.getBoolean(path(key));
  }
}
