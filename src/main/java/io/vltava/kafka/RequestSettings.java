package io.vltava.kafka;

import com.typesafe.config.Config;
import io.vltava.util.SettingsReader;
import java.time.Duration;

/**
 * How long the API handlers wait for the node's actors before answering with a retriable error,
 * read from {@code vltava.requests} in reference.conf.
 */
public record RequestSettings(
    Duration controllerTimeout,
    Duration coordinatorTimeout,
    Duration memberTimeout,
    Duration syncGroupTimeout,
    Duration joinGroupMargin,
    Duration replicaWriterTimeout) {

  /** Reads {@code vltava.requests} from the node's whole config. */
  public static RequestSettings from(Config config) {
    SettingsReader section = new SettingsReader(config, "vltava.requests");
    return new RequestSettings(
        section.positiveDuration("controller-timeout"),
        section.positiveDuration("coordinator-timeout"),
        section.positiveDuration("member-timeout"),
        section.positiveDuration("sync-group-timeout"),
        section.nonNegativeDuration("join-group-margin"),
        section.positiveDuration("replica-writer-timeout"));
  }
}
