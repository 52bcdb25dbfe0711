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
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Gives the journal and snapshot store plugins their storage: creates the journal and snapshot
 * topics if they are new and registers the storage, which reaches each partition's leader wherever
 * it is, once every partition's leader serves.
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
    // Both topics are compacted: events and snapshots stay until their entity deletes them, never
    // by age. An existing topic keeps its configs: a journal an older version created (records
    // keyed by persistence id alone, cleanup.policy delete) must never be compacted.
    List<Controller.NewTopic> topics = List.of(
        new Controller.NewTopic(settings.topic(), settings.partitions(), replicationFactor, settings.topicConfigs()),
        new Controller.NewTopic(settings.snapshotTopic(), settings.partitions(), replicationFactor, settings.snapshotTopicConfigs()));
    List<TopicOutcome> outcomes = AskPattern.<Controller.Command, Controller.TopicOutcomes>ask(controller,
            replyTo -> new Controller.CreateTopics(topics, false, replyTo), timeout, system.scheduler())
        .toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS).outcomes();
    for (TopicOutcome outcome : outcomes) {
      if (outcome.error() != Errors.NONE && outcome.error() != Errors.TOPIC_ALREADY_EXISTS) {
        throw outcome.error().exception("cannot create the internal topic " + outcome.name() + ": " + outcome.errorMessage());
      }
    }
    ReplicaJournalStorage journal = new ReplicaJournalStorage(system, replicas, settings, settings.topic());
    ReplicaJournalStorage snapshots = new ReplicaJournalStorage(system, replicas, settings, settings.snapshotTopic());
    awaitLeaders(journal, timeout);
    awaitLeaders(snapshots, timeout);
    JournalStorageExtension.get(system).register(journal, snapshots);
  }

  /** Waits until every partition's leader answers, so the first persistent actors do not fail their recovery. */
  private static void awaitLeaders(ReplicaJournalStorage storage, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int partition = 0; partition < storage.partitionCount(); partition++) {
      while (true) {
        try {
          storage.endOffset(partition);
          break;
        } catch (RuntimeException notYet) {
          if (System.nanoTime() > deadline) {
            throw new java.util.concurrent.TimeoutException("internal topic partition " + partition + " has no serving leader after " + timeout);
          }
          Thread.sleep(20); // the leader opens its log asynchronously after the topic is created
        }
      }
    }
  }
}
