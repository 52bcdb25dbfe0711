package io.vltava.http.console;

import com.typesafe.config.Config;
import io.vltava.util.SettingsReader;
import java.time.Duration;

/**
 * The web console's limits, read from {@code vltava.http.console} in reference.conf: how long its
 * Kafka clients wait for the node, how much one message browse reads, and how many API requests
 * it works on and queues at once.
 */
public record ConsoleSettings(
    Duration requestTimeout,
    Duration callTimeout,
    Duration browseTime,
    int browseMaxRecords,
    int apiThreads,
    int apiQueue) {

  /** Reads {@code vltava.http.console} from the node's whole config. */
  public static ConsoleSettings from(Config config) {
    SettingsReader section = new SettingsReader(config, "vltava.http.console");
    return new ConsoleSettings(
        section.positiveDuration("request-timeout"),
        section.positiveDuration("call-timeout"),
        section.positiveDuration("browse-time"),
        section.intAtLeast("browse-max-records", 1),
        section.intAtLeast("api-threads", 1),
        section.intAtLeast("api-queue", 1));
  }
}
