package io.vltava.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.metadata.CborSerializable;
import io.vltava.node.TestNodes;
import io.vltava.node.VltavaNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.protocol.Errors;
import io.vltava.replica.AppendOutcome;
import io.vltava.replica.PartitionLeader;
import java.util.concurrent.ExecutionException;
import java.nio.ByteBuffer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The journal plugin used the way a user would: an event-sourced entity of the test's own. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JournalPluginTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(15);
  private static final ConfigResource JOURNAL_TOPIC = new ConfigResource(ConfigResource.Type.TOPIC, "__vltava_journal");

  @TempDir Path dataDir;

  /** A user's entity: an append-only list of lines, optionally snapshotting. */
  static final class Notebook extends EventSourcedBehavior<Notebook.Command, Notebook.Written, Notebook.Page> {
    sealed interface Command extends CborSerializable {}

    record Write(String line, ActorRef<Done> replyTo) implements Command {}

    record Read(ActorRef<List<String>> replyTo) implements Command {}

    record Written(String line) implements CborSerializable {}

    /** The state, which is also the snapshot. */
    record Page(List<String> lines) implements CborSerializable {}

    private final RetentionCriteria retention;

    static Behavior<Command> create(String id) {
      return new Notebook(id, RetentionCriteria.disabled());
    }

    static Behavior<Command> snapshotting(String id, RetentionCriteria retention) {
      return new Notebook(id, retention);
    }

    private Notebook(String id, RetentionCriteria retention) {
      super(PersistenceId.of("notebook", id));
      this.retention = retention;
    }

    @Override
    public RetentionCriteria retentionCriteria() {
      return retention;
    }

    @Override
    public Page emptyState() {
      return new Page(List.of());
    }

    @Override
    public CommandHandler<Command, Written, Page> commandHandler() {
      return newCommandHandlerBuilder().forAnyState()
          .onCommand(Write.class, (state, write) ->
              Effect().persist(new Written(write.line())).thenReply(write.replyTo(), s -> Done.getInstance()))
          .onCommand(Read.class, (state, read) -> Effect().reply(read.replyTo(), state.lines()))
          .build();
    }

    @Override
    public EventHandler<Page, Written> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onEvent(Written.class, (state, event) -> {
        List<String> next = new ArrayList<>(state.lines());
        next.add(event.line());
        return new Page(next);
      }).build();
    }
  }

  @Test
  void eventsOfManyEntitiesSurviveARestartAndReplayPerEntity() throws Exception {
    int entities = 40;
    int linesEach = 25;
    Map<String, List<String>> expected = new HashMap<>();
    try (VltavaNode node = TestNodes.start(dataDir)) {
      List<ActorRef<Notebook.Command>> books = spawnAll(node.system(), entities);
      List<CompletableFuture<Done>> writes = new ArrayList<>();
      for (int line = 0; line < linesEach; line++) {
        for (int e = 0; e < entities; e++) {
          String text = "book-" + e + " line-" + line;
          expected.computeIfAbsent("book-" + e, k -> new ArrayList<>()).add(text);
          ActorRef<Notebook.Command> book = books.get(e);
          writes.add(JournalPluginTest.<Done>ask(node.system(), book, replyTo -> new Notebook.Write(text, replyTo)).toCompletableFuture());
        }
      }
      CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      assertEquals(expected.get("book-7"), read(node.system(), books.get(7)));
    }
    // 40 ids over 8 partitions: every partition holds the events of several entities.
    try (VltavaNode node = TestNodes.start(dataDir)) {
      JournalStore store = JournalStorageExtension.get(node.system()).store().toCompletableFuture().get();
      assertTrue(store.partitionOf("notebook|book-0") >= 0);
      List<ActorRef<Notebook.Command>> books = spawnAll(node.system(), entities);
      for (int e = 0; e < entities; e++) {
        assertEquals(expected.get("book-" + e), read(node.system(), books.get(e)), "book-" + e);
      }
      JournalPluginTest.<Done>ask(node.system(), books.get(3), replyTo -> new Notebook.Write("after restart", replyTo)).toCompletableFuture().get();
      expected.get("book-3").add("after restart");
      assertEquals(expected.get("book-3"), read(node.system(), books.get(3)));
      Set<String> ids = store.persistenceIds().toCompletableFuture().get();
      assertEquals(entities, ids.stream().filter(id -> id.startsWith("notebook|")).count());
    }
  }

  @Test
  void deletedEventsAreNotReplayedAndTheHighestSequenceNumberIsKept() throws Exception {
    try (VltavaNode node = TestNodes.start(dataDir)) {
      ActorRef<Notebook.Command> book = node.system().systemActorOf(Notebook.create("trimmed"), "trimmed",
          org.apache.pekko.actor.typed.Props.empty());
      for (int i = 1; i <= 5; i++) {
        String line = "line-" + i;
        JournalPluginTest.<Done>ask(node.system(), book, replyTo -> new Notebook.Write(line, replyTo)).toCompletableFuture().get();
      }
      deleteTo(node.system(), "notebook|trimmed", 3);
    }
    try (VltavaNode node = TestNodes.start(dataDir)) {
      JournalStore store = JournalStorageExtension.get(node.system()).store().toCompletableFuture().get();
      assertEquals(5L, store.highestSeqNr("notebook|trimmed").toCompletableFuture().get());
      ActorRef<Notebook.Command> book = node.system().systemActorOf(Notebook.create("trimmed"), "trimmed",
          org.apache.pekko.actor.typed.Props.empty());
      assertEquals(List.of("line-4", "line-5"), read(node.system(), book));
      JournalPluginTest.<Done>ask(node.system(), book, replyTo -> new Notebook.Write("line-6", replyTo)).toCompletableFuture().get();
      assertEquals(List.of("line-4", "line-5", "line-6"), read(node.system(), book));
    }
  }

  @Test
  void aSnapshottingEntityRecoversFromItsLatestSnapshotAndTheEventsAfterIt() throws Exception {
    // Snapshots at 4, 8 and 12; the one at 12 deletes the events up to 12 - 2 * 4 = 4.
    RetentionCriteria retention = RetentionCriteria.snapshotEvery(4, 2).withDeleteEventsOnSnapshot();
    List<String> expected = new ArrayList<>();
    try (VltavaNode node = TestNodes.start(dataDir)) {
      ActorRef<Notebook.Command> book = node.system().systemActorOf(Notebook.snapshotting("snap", retention), "snap",
          org.apache.pekko.actor.typed.Props.empty());
      for (int i = 1; i <= 14; i++) {
        String line = "line-" + i;
        expected.add(line);
        JournalPluginTest.<Done>ask(node.system(), book, replyTo -> new Notebook.Write(line, replyTo)).toCompletableFuture().get();
      }
      assertEquals(expected, read(node.system(), book));
      SnapshotTopicStore snapshots = JournalStorageExtension.get(node.system()).snapshotStore().toCompletableFuture().get();
      // The deletion after the snapshot at 12 runs after its reply: wait for it.
      org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> replayedSeqNrs(node.system()),
          org.hamcrest.Matchers.equalTo(List.of(5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L)));
      SnapshotTopicStore.Criteria all = new SnapshotTopicStore.Criteria(0, Long.MAX_VALUE, 0, Long.MAX_VALUE);
      assertEquals(12L, snapshots.load("notebook|snap", all).toCompletableFuture().get().orElseThrow().seqNr());
    }
    try (VltavaNode node = TestNodes.start(dataDir)) {
      SnapshotTopicStore snapshots = JournalStorageExtension.get(node.system()).snapshotStore().toCompletableFuture().get();
      SnapshotTopicStore.Criteria upTo11 = new SnapshotTopicStore.Criteria(0, 11, 0, Long.MAX_VALUE);
      assertEquals(8L, snapshots.load("notebook|snap", upTo11).toCompletableFuture().get().orElseThrow().seqNr());
      ActorRef<Notebook.Command> book = node.system().systemActorOf(Notebook.snapshotting("snap", retention), "snap",
          org.apache.pekko.actor.typed.Props.empty());
      assertEquals(expected, read(node.system(), book), "snapshot 12 plus events 13 and 14");
      JournalPluginTest.<Done>ask(node.system(), book, replyTo -> new Notebook.Write("line-15", replyTo)).toCompletableFuture().get();
      expected.add("line-15");
      assertEquals(expected, read(node.system(), book));
    }
  }

  @Test
  void aJournalAnOlderVersionWroteRecoversWithNewWritesAndIsNeverCompacted() throws Exception {
    String persistenceId = "notebook|legacy";
    // The journal topic as older versions created it: only retention.ms=-1, so cleanup.policy delete.
    Map<String, Object> olderVersion = new HashMap<>();
    for (String config : List.of("cleanup.policy", "segment.bytes", "segment.ms", "delete.retention.ms")) {
      olderVersion.put("vltava.journal.topic-configs.\"" + config + "\"", null);
    }
    int partition;
    try (VltavaNode node = TestNodes.start(dataDir, olderVersion)) {
      JournalStore store = JournalStorageExtension.get(node.system()).store().toCompletableFuture().get();
      partition = store.partitionOf(persistenceId);
      Serialization serialization = SerializationExtension.get(Adapter.toClassic(node.system()));
      List<SimpleRecord> records = new ArrayList<>();
      for (long seqNr = 1; seqNr <= 5; seqNr++) {
        byte[] event = serialization.serialize(PersistentRepr.apply(
            new Notebook.Written("old-" + seqNr), seqNr, persistenceId, "", false, null, "older-writer")).get();
        records.add(JournalRecordsTest.oldFormat(persistenceId, event, JournalRecords.SEQ_NR_HEADER, seqNr));
      }
      records.add(JournalRecordsTest.oldFormat(persistenceId, null, JournalRecords.DELETED_TO_HEADER, 2));
      for (SimpleRecord record : records) {
        appendToJournal(node, partition, record);
      }
    }
    try (VltavaNode node = TestNodes.start(dataDir)) {
      assertEquals("delete", journalCleanupPolicy(node));
      JournalStore store = JournalStorageExtension.get(node.system()).store().toCompletableFuture().get();
      assertEquals(5L, store.highestSeqNr(persistenceId).toCompletableFuture().get());
      ActorRef<Notebook.Command> book = node.system().systemActorOf(Notebook.create("legacy"), "legacy",
          org.apache.pekko.actor.typed.Props.empty());
      assertEquals(List.of("old-3", "old-4", "old-5"), read(node.system(), book));
      for (String line : List.of("new-6", "new-7")) {
        JournalPluginTest.<Done>ask(node.system(), book, replyTo -> new Notebook.Write(line, replyTo)).toCompletableFuture().get();
      }
      deleteTo(node.system(), persistenceId, 6);
      // The new writes are in the keyed format, in the same partition as the old records.
      List<JournalRecords.Entry> newEntries = new ArrayList<>();
      SharedLogPartition journalPartition = new SharedLogPartition(
          node.localReplica(new TopicPartition(JOURNAL_TOPIC.name(), partition)).orElseThrow().log(), Runnable::run);
      PartitionReader.readFrom(journalPartition, 0, 0, record -> {
        if (record.headers().length > 0 && record.headers()[0].key().equals(JournalRecords.KEY_FORMAT_HEADER)) {
          newEntries.add(JournalRecords.parse(record));
        }
      });
      assertEquals(List.of(
          new JournalRecords.Event(persistenceId, 6), new JournalRecords.Event(persistenceId, 7),
          new JournalRecords.DeletedTo(persistenceId, 6),
          new JournalRecords.Tombstone(persistenceId, 3), new JournalRecords.Tombstone(persistenceId, 4),
          new JournalRecords.Tombstone(persistenceId, 5), new JournalRecords.Tombstone(persistenceId, 6)),
          newEntries.stream().filter(e -> e.persistenceId().equals(persistenceId)).toList());
    }
    try (VltavaNode node = TestNodes.start(dataDir)) {
      assertEquals("delete", journalCleanupPolicy(node), "a journal of an older version is never compacted");
      try (Admin admin = Admin.create(TestNodes.adminProps(node.bootstrapServers()))) {
        AlterConfigOp compact = new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.SET);
        ExecutionException refused = assertThrows(ExecutionException.class,
            () -> admin.incrementalAlterConfigs(Map.of(JOURNAL_TOPIC, List.of(compact))).all().get());
        assertTrue(refused.getCause() instanceof InvalidConfigurationException, refused.toString());
      }
      assertEquals("delete", journalCleanupPolicy(node));
      JournalStore store = JournalStorageExtension.get(node.system()).store().toCompletableFuture().get();
      assertEquals(7L, store.highestSeqNr(persistenceId).toCompletableFuture().get());
      ActorRef<Notebook.Command> book = node.system().systemActorOf(Notebook.create("legacy"), "legacy",
          org.apache.pekko.actor.typed.Props.empty());
      assertEquals(List.of("new-7"), read(node.system(), book));
    }
  }

  @Test
  void aJournalCreatedNowIsCompacted() throws Exception {
    try (VltavaNode node = TestNodes.start(dataDir)) {
      JournalStorageExtension.get(node.system()).store().toCompletableFuture().get();
      assertEquals("compact", journalCleanupPolicy(node));
    }
  }

  /** Appends {@code record} to the journal partition as the node's own journal does, through the leader. */
  private static void appendToJournal(VltavaNode node, int partition, SimpleRecord record) throws Exception {
    ByteBuffer batch = MemoryRecords.withRecords(Compression.NONE, record).buffer();
    byte[] bytes = new byte[batch.remaining()];
    batch.get(bytes);
    AppendOutcome outcome = node.partitionLeader(new TopicPartition(JOURNAL_TOPIC.name(), partition))
        .<AppendOutcome>ask(replyTo -> new PartitionLeader.Append(bytes, replyTo), TIMEOUT)
        .toCompletableFuture().get();
    assertEquals(Errors.NONE, outcome.error(), outcome.errorMessage());
  }

  private static String journalCleanupPolicy(VltavaNode node) throws Exception {
    try (Admin admin = Admin.create(TestNodes.adminProps(node.bootstrapServers()))) {
      return admin.describeConfigs(List.of(JOURNAL_TOPIC)).all().get().get(JOURNAL_TOPIC).get("cleanup.policy").value();
    }
  }

  /** What a snapshotting entity's retention does: the journal actor is asked to delete up to {@code toSeqNr}. */
  private static void deleteTo(ActorSystem<?> system, String persistenceId, long toSeqNr) {
    org.apache.pekko.actor.ActorRef journal = Persistence.get(Adapter.toClassic(system)).journalFor(JournalSettings.PLUGIN_ID, ConfigFactory.empty());
    org.apache.pekko.actor.testkit.typed.javadsl.TestProbe<Object> probe =
        org.apache.pekko.actor.testkit.typed.javadsl.TestProbe.create(system);
    journal.tell(new JournalProtocol.DeleteMessagesTo(persistenceId, toSeqNr, Adapter.toClassic(probe.ref())),
        Adapter.toClassic(probe.ref()));
    probe.expectMessageClass(org.apache.pekko.persistence.DeleteMessagesSuccess.class, TIMEOUT);
  }

  private static List<Long> replayedSeqNrs(ActorSystem<?> system) throws Exception {
    JournalStore store = JournalStorageExtension.get(system).store().toCompletableFuture().get();
    List<Long> seqNrs = new ArrayList<>();
    store.replay("notebook|snap", 1, Long.MAX_VALUE, Long.MAX_VALUE, event -> seqNrs.add(event.seqNr()))
        .toCompletableFuture().get();
    return seqNrs;
  }

  private static List<ActorRef<Notebook.Command>> spawnAll(ActorSystem<?> system, int count) {
    List<ActorRef<Notebook.Command>> books = new ArrayList<>();
    for (int e = 0; e < count; e++) {
      books.add(system.systemActorOf(Notebook.create("book-" + e), "book-" + e, org.apache.pekko.actor.typed.Props.empty()));
    }
    return books;
  }

  private static List<String> read(ActorSystem<?> system, ActorRef<Notebook.Command> book) throws Exception {
    return JournalPluginTest.<List<String>>ask(system, book, Notebook.Read::new).toCompletableFuture().get();
  }

  private static <T> CompletionStage<T> ask(
      ActorSystem<?> system, ActorRef<Notebook.Command> book, org.apache.pekko.japi.function.Function<ActorRef<T>, Notebook.Command> message) {
    return AskPattern.ask(book, message, TIMEOUT, system.scheduler());
  }
}
