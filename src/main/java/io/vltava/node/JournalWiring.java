package io.vltava.node;

import com.typesafe.config.Config;
import io.vltava.controller.Controller;
import io.vltava.controller.TopicOutcome;
import io.vltava.persistence.JournalSettings;
import io.vltava.persistence.JournalStorageExtension;
import io.vltava.persistence.ReplicaJournalStorage;
import io.vltava.replica.ReplicaManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Gives the journal plugin its storage: creates the journal topic if it is new, waits until its
 * partitions are open here, and registers them. Runs before any persistent actor starts.
 */
final class JournalWiring {
  private JournalWiring() {}

  static void start(ActorSystem<?> system, Config config, ActorRef<Controller.Command> controller,
      ReplicaManager replicas, Duration timeout) throws Exception {
    JournalSettings settings = JournalSettings.from(config);
    // Events are kept until their entity deletes them, never by age.
    Controller.NewTopic topic = new Controller.NewTopic(
        settings.topic(), settings.partitions(), settings.replicationFactor(), Map.of("retention.ms", "-1"));
    List<TopicOutcome> outcomes = AskPattern.<Controller.Command, List<TopicOutcome>>ask(controller,
            replyTo -> new Controller.CreateTopics(List.of(topic), false, replyTo), timeout, system.scheduler())
        .toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    Errors error = outcomes.get(0).error();
    if (error != Errors.NONE && error != Errors.TOPIC_ALREADY_EXISTS) {
      throw error.exception("cannot create the journal topic " + settings.topic() + ": " + outcomes.get(0).errorMessage());
    }
    ReplicaJournalStorage storage = new ReplicaJournalStorage(replicas, settings);
    long deadline = System.nanoTime() + timeout.toNanos();
    // The replicas open their logs asynchronously after the metadata change; start-up may block.
    while (!storage.ready()) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("journal topic " + settings.topic() + " did not open within " + timeout);
      }
      Thread.sleep(5);
    }
    JournalStorageExtension.get(system).register(storage);
  }
}
