package io.vltava.node;

import com.typesafe.config.Config;
import io.vltava.controller.Controller;
import io.vltava.controller.TopicOutcome;
import io.vltava.metadata.MetadataCache;
import io.vltava.persistence.JournalSettings;
import io.vltava.persistence.JournalStorageExtension;
import io.vltava.persistence.ReplicaJournalStorage;
import io.vltava.replica.ReplicaManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Gives the journal plugin its storage: creates the journal topic if it is new and registers the
 * storage, which reaches each partition's leader wherever it is, once every partition's leader serves.
 */
final class JournalWiring {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(JournalWiring.class);

  private JournalWiring() {}

  /**
   * Starts wiring in the background and returns: a cluster's first node must not wait at start-up
   * for the brokers the journal's replicas need. Persistent actors wait for the storage meanwhile.
   * The topic gets {@link JournalSettings#initialReplicationFactor} and is created once that many
   * brokers are live; the controller raises it as more brokers join.
   */
  static void start(ActorSystem<?> system, Config config, ActorRef<Controller.Command> controller,
      ReplicaManager replicas, MetadataCache metadata, int clusterSize, Duration timeout) {
    JournalSettings settings = JournalSettings.from(config);
    int replicationFactor = settings.initialReplicationFactor(clusterSize);
    Thread wiring = new Thread(() -> {
      try {
        wire(system, settings, replicationFactor, controller, replicas, metadata, timeout);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        if (!system.whenTerminated().isCompleted()) {
          log.error("The Vltava journal could not be set up; persistent actors cannot recover", e);
        }
      }
    }, "journal-wiring");
    wiring.setDaemon(true);
    wiring.start();
  }

  private static void wire(ActorSystem<?> system, JournalSettings settings, int replicationFactor,
      ActorRef<Controller.Command> controller, ReplicaManager replicas, MetadataCache metadata, Duration timeout) throws Exception {
    boolean told = false;
    while (metadata.current().topic(settings.topic()).isEmpty() && metadata.current().brokers().size() < replicationFactor) {
      if (system.whenTerminated().isCompleted()) {
        return;
      }
      if (!told) {
        log.info("The journal topic {} waits for {} brokers (replication factor; vltava.cluster.size or vltava.journal.replication-factor)",
            settings.topic(), replicationFactor);
        told = true;
      }
      Thread.sleep(100); // waiting for the other brokers of a starting cluster to register
    }
    // Events are kept until their entity deletes them, never by age.
    Controller.NewTopic topic = new Controller.NewTopic(
        settings.topic(), settings.partitions(), replicationFactor, Map.of("retention.ms", "-1"));
    List<TopicOutcome> outcomes = AskPattern.<Controller.Command, Controller.TopicOutcomes>ask(controller,
            replyTo -> new Controller.CreateTopics(List.of(topic), false, replyTo), timeout, system.scheduler())
        .toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS).outcomes();
    Errors error = outcomes.get(0).error();
    if (error != Errors.NONE && error != Errors.TOPIC_ALREADY_EXISTS) {
      throw error.exception("cannot create the journal topic " + settings.topic() + ": " + outcomes.get(0).errorMessage());
    }
    ReplicaJournalStorage storage = new ReplicaJournalStorage(system, replicas, settings);
    awaitLeaders(storage, timeout);
    JournalStorageExtension.get(system).register(storage);
  }

  /** Waits until every journal partition's leader answers, so the first persistent actors do not fail their recovery. */
  private static void awaitLeaders(ReplicaJournalStorage storage, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int partition = 0; partition < storage.partitionCount(); partition++) {
      while (true) {
        try {
          storage.endOffset(partition);
          break;
        } catch (RuntimeException notYet) {
          if (System.nanoTime() > deadline) {
            throw new java.util.concurrent.TimeoutException("journal partition " + partition + " has no serving leader after " + timeout);
          }
          Thread.sleep(20); // the leader opens its log asynchronously after the topic is created
        }
      }
    }
  }
}
