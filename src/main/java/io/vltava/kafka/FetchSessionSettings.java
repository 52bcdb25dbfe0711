package io.vltava.kafka;

import com.typesafe.config.Config;

/** Incremental fetch session settings, read from {@code vltava.fetch-sessions} in reference.conf. */
public record FetchSessionSettings(int maxSessions, long evictionMs) {

  public FetchSessionSettings {
    if (maxSessions < 0) {
      throw new IllegalArgumentException("max.incremental.fetch.session.cache.slots must not be negative, was " + maxSessions);
    }
    if (evictionMs < 0) {
      throw new IllegalArgumentException("eviction-ms must not be negative, was " + evictionMs);
    }
  }

  public static FetchSessionSettings fromConfig(Config section) {
    return new FetchSessionSettings(section.getInt("max.incremental.fetch.session.cache.slots"), section.getLong("eviction-ms"));
  }
}
