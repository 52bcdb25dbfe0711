package io.vltava.stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.metadata.ClusterState;
import io.vltava.stream.StreamTestBroker.Transport;
import io.vltava.persistence.JournalSettings;
import io.vltava.testkit.VltavaTestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Delivery guarantees of committable pipelines across a node crash, on a 3-node VltavaTestKit.
 *
 * <p>The topic has replication factor 1, so the victim must not lead its partition (it would be
 * offline), nor hold an unreplicated partition of the journal topic (where committed offsets
 * live). It is the node the remote consumers bootstrap from, and so their group coordinator as
 * kafka-clients sees it: its crash cuts their coordinator connection mid-stream. A pipeline whose
 * commit or fetch fails is restarted (RestartSource, as a user would supervise it) from the
 * committed offsets. The pipelines of both transports run through the same crash, set up once
 * for the class.
 */
class NodeCrashDeliveryTest {
  private static final String TOPIC = "payments";
  private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
  private static final int RECORDS = 400;
  private static final Duration WAIT = Duration.ofSeconds(60);

  static VltavaTestKit kit;
  static List<String> written;
  static final Map<Transport, Pipelines> runs = new EnumMap<>(Transport.class);

  @BeforeAll
  static void start() throws Exception {
    kit = VltavaTestKit.start(3);
    kit.createTopic(TOPIC, 1, 1);
    runThroughACrash();
  }

  @AfterAll
  static void stop() throws Exception {
    kit.close();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void atLeastOnceLosesNothingAndAtMostOnceDuplicatesNothing(Transport transport) {
    Pipelines run = runs.get(transport);
    // At least once: every offset processed, each with the value written there; repeats allowed.
    for (ConsumerRecord<String, String> record : run.atLeastOnce()) {
      assertEquals(written.get((int) record.offset()), record.value(), "value at offset " + record.offset());
    }
    assertEquals(LongStream.range(0, RECORDS).boxed().collect(Collectors.toSet()),
        run.atLeastOnce().stream().map(ConsumerRecord::offset).collect(Collectors.toSet()), "nothing lost");

    // At most once: offsets strictly increasing (nothing twice), each with the value written there.
    long previous = -1;
    for (ConsumerRecord<String, String> record : run.atMostOnce()) {
      assertTrue(record.offset() > previous, "offset " + record.offset() + " after " + previous + ": duplicated");
      assertEquals(written.get((int) record.offset()), record.value(), "value at offset " + record.offset());
      previous = record.offset();
    }
  }

  /**
   * Runs an at-least-once and an at-most-once pipeline per transport through one crash, until
   * every group committed the whole partition. The in-cluster pipelines run on a surviving node.
   */
  private static void runThroughACrash() throws Exception {
    written = produce(kit.clientSystem());
    int victim = bystander();
    int appNode = IntStream.rangeClosed(1, 3).filter(id -> id != victim).findFirst().orElseThrow();
    CompletableFuture<Done> crashed = new CompletableFuture<>();
    List<UniqueKillSwitch> switches = new ArrayList<>();
    for (Transport transport : Transport.values()) {
      Pipelines run = new Pipelines(transport, new ConcurrentLinkedQueue<>(), new ConcurrentLinkedQueue<>());
      runs.put(transport, run);
      ActorSystem<?> system = transport == Transport.REMOTE ? kit.clientSystem() : kit.node(appNode).system();
      CommitterSettings committer = CommitterSettings.create(system).withMaxBatch(50).withMaxInterval(Duration.ofMillis(200));
      switches.add(supervised(system, transport, victim, run.group("at-least-once"), (settings, subscription) ->
          Consumer.committableSource(settings, subscription)
              .mapAsync(1, message -> halfway(run.atLeastOnce(), crashed).thenApply(go -> {
                run.atLeastOnce().add(message.record());   // process, then commit
                return message.committableOffset();
              }))
              .via(Committer.flow(committer))));
      switches.add(supervised(system, transport, victim, run.group("at-most-once"), (settings, subscription) ->
          Consumer.committableSource(settings, subscription)
              .mapAsync(1, message -> halfway(run.atMostOnce(), crashed)
                  .thenCompose(go -> message.committableOffset().commit())
                  .thenApply(committed -> {
                    run.atMostOnce().add(message.record());   // commit, then process
                    return Done.getInstance();
                  }))));
    }

    await().atMost(WAIT).until(() -> runs.values().stream()
        .allMatch(run -> run.atLeastOnce().size() >= RECORDS / 2 && run.atMostOnce().size() >= RECORDS / 2));
    kit.crash(victim);
    crashed.complete(Done.getInstance());
    await().atMost(WAIT).ignoreExceptions().until(() -> runs.values().stream().allMatch(run ->
        committed(run.group("at-least-once")) == RECORDS && committed(run.group("at-most-once")) == RECORDS));
    switches.forEach(UniqueKillSwitch::shutdown);
  }

  /** What one transport's two pipelines processed, in processing order. */
  private record Pipelines(Transport transport, ConcurrentLinkedQueue<ConsumerRecord<String, String>> atLeastOnce,
      ConcurrentLinkedQueue<ConsumerRecord<String, String>> atMostOnce) {
    String group(String guarantee) {
      return guarantee + "-" + transport.name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Writes the records; returns each value at its offset (the topic is new, so offsets start at 0). */
  private static List<String> produce(ActorSystem<?> system) throws Exception {
    ProducerSettings<String, String> settings =
        ProducerSettings.create(system, new StringSerializer(), new StringSerializer())
            .withBootstrapServers(kit.bootstrapServers());
    List<ProducerMessage.Results<String, String, String>> results = Source.range(0, RECORDS - 1)
        .map(i -> ProducerMessage.<String, String, String>single(
            new ProducerRecord<>(TOPIC, "account-" + i % 50, "payment-" + i), "payment-" + i))
        .via(Producer.flow(settings))
        .runWith(Sink.seq(), system)
        .toCompletableFuture().get(60, TimeUnit.SECONDS);
    List<String> written = new ArrayList<>();
    for (ProducerMessage.Results<String, String, String> result : results) {
      assertEquals(written.size(), ((ProducerMessage.Result<String, String, String>) result).offset());
      written.add(result.passThrough());
    }
    return written;
  }

  /**
   * A node that leads not the topic's partition and holds no unreplicated journal partition (where
   * committed offsets live): a replicated one moves its leadership to another in-sync replica.
   */
  private static int bystander() {
    String journalTopic = JournalSettings.from(kit.node(1).system().settings().config()).topic();
    ClusterState state = kit.cluster().metadata();
    Set<Integer> needed = new HashSet<>();
    needed.add(kit.leaderOf(PARTITION));
    state.topic(journalTopic).orElseThrow().partitions().stream()
        .filter(p -> p.replicas().size() == 1)
        .forEach(p -> needed.add(p.leader()));
    return IntStream.rangeClosed(1, 3).filter(id -> !needed.contains(id)).findFirst()
        .orElseThrow(() -> new IllegalStateException("every node leads a partition the pipelines need: " + needed));
  }

  /**
   * Runs {@code pipeline} for {@code group}, restarting it from the committed offsets when it
   * fails. Remote: the first run bootstraps from the victim alone (so it is the group coordinator
   * kafka-clients talks to), later runs from the surviving nodes. In-cluster: the partition is
   * assigned explicitly (there is no group membership) and read from the committed offset.
   */
  private static UniqueKillSwitch supervised(ActorSystem<?> system, Transport transport, int victim, String group,
      BiFunction<ConsumerSettings<String, String>, Subscription, Source<?, Consumer.Control>> pipeline) {
    ConsumerSettings<String, String> base =
        ConsumerSettings.create(system, new StringDeserializer(), new StringDeserializer())
            .withGroupId(group)
            .withProperty("auto.offset.reset", "earliest")
            // A restarted member waits for its predecessor's session to expire (45 s by default); a
            // JoinGroup sent while the coordinator entity moves off the crashed node is lost and
            // answered only after the rebalance timeout (max.poll.interval.ms, 5 min by default);
            // a commit to the lost coordinator fails after the commit timeout and restarts the run.
            .withProperty("session.timeout.ms", "6000")
            .withProperty("heartbeat.interval.ms", "1000")
            .withProperty("max.poll.interval.ms", "10000")
            .withCommitTimeout(Duration.ofSeconds(5));
    String survivors = IntStream.rangeClosed(1, 3).filter(id -> id != victim)
        .mapToObj(id -> kit.node(id).bootstrapServers()).collect(Collectors.joining(","));
    String victimServer = kit.node(victim).bootstrapServers();
    AtomicInteger runs = new AtomicInteger();
    RestartSettings restart = RestartSettings.create(Duration.ofMillis(200), Duration.ofSeconds(1), 0.2)
        .withMaxRestarts(20, Duration.ofMinutes(1));
    Source<Object, NotUsed> restarting = RestartSource.onFailuresWithBackoff(restart, () -> {
      Source<?, Consumer.Control> run = transport == Transport.REMOTE
          ? pipeline.apply(base.withBootstrapServers(runs.getAndIncrement() == 0 ? victimServer : survivors),
              Subscriptions.topics(TOPIC))
          : pipeline.apply(base.withTransport(InClusterConsumerTransport.factory(system)), Subscriptions.assignment(PARTITION));
      return run.mapMaterializedValue(control -> NotUsed.notUsed()).map(element -> (Object) element);
    });
    return restarting.viaMat(KillSwitches.single(), Keep.right()).to(Sink.ignore()).run(system);
  }

  /** Lets the first half through at once and the rest only after the crash, so it lands mid-stream. */
  private static CompletionStage<Done> halfway(ConcurrentLinkedQueue<?> processed, CompletableFuture<Done> crashed) {
    return processed.size() < RECORDS / 2 ? CompletableFuture.completedFuture(Done.getInstance()) : crashed;
  }

  private static long committed(String group) {
    Map<TopicPartition, OffsetAndMetadata> offsets = kit.admin().listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().toCompletionStage().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
    OffsetAndMetadata offset = offsets.get(PARTITION);
    return offset == null ? -1 : offset.offset();
  }
}
