package io.vltava.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authorization end to end, over plaintext (every client is User:ANONYMOUS), with Kafka 4.3.1's
 * kafka-acls and real clients: with authorization on and no ACL, produce, consume and metadata are
 * refused with Kafka's errors; kafka-acls grants take effect at once (literal, prefixed, group), and
 * a DENY beats an ALLOW; kafka-clients 2.8 and librdkafka get the same errors. The node first runs without authorization to be given the one ACL an
 * operator needs to manage the others (ALTER and DESCRIBE on the cluster), then restarts with it on,
 * so the ACLs also prove to survive a restart.
 */
@Tag("slow")
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuthorizationTest {
  @TempDir static Path dataDir;
  static VltavaNode node;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(dataDir, Map.of());
    try (Admin admin = Admin.create(TestNodes.adminProps(node.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic("orders", 1, (short) 1), new NewTopic("other", 1, (short) 1),
          new NewTopic("team-a.events", 1, (short) 1), new NewTopic("secret", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
    acls("--add", "--allow-principal", "User:ANONYMOUS", "--operation", "Alter", "--operation", "Describe", "--cluster");
    node.close();
    node = TestNodes.start(dataDir, Map.of("vltava.authorization.enabled", true));
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  @Test
  @Order(1)
  void withoutAclsProduceConsumeAndMetadataAreRefused() throws Exception {
    ExecutionException produce = assertThrows(ExecutionException.class, () -> send(false, "orders", "v"));
    assertInstanceOf(TopicAuthorizationException.class, produce.getCause());
    assertEquals(Set.of("orders"), ((TopicAuthorizationException) produce.getCause()).unauthorizedTopics());

    TopicAuthorizationException consume = assertThrows(TopicAuthorizationException.class, () -> consume("orders", null, 1));
    assertEquals(Set.of("orders"), consume.unauthorizedTopics());

    try (Admin admin = Admin.create(TestNodes.adminProps(node.bootstrapServers()))) {
      assertEquals(Set.of(), admin.listTopics().names().get(30, TimeUnit.SECONDS), "no topic may be described");
      ExecutionException describe = assertThrows(ExecutionException.class,
          () -> admin.describeTopics(List.of("orders")).allTopicNames().get(30, TimeUnit.SECONDS));
      assertInstanceOf(TopicAuthorizationException.class, describe.getCause());
      ExecutionException create = assertThrows(ExecutionException.class,
          () -> admin.createTopics(List.of(new NewTopic("new-topic", 1, (short) 1))).all().get(30, TimeUnit.SECONDS));
      assertInstanceOf(TopicAuthorizationException.class, create.getCause());
    }
  }

  @Test
  @Order(2)
  void aWriteAclLetsProduceThereOnly() throws Exception {
    acls("--add", "--allow-principal", "User:ANONYMOUS", "--operation", "Write", "--topic", "orders");
    // Idempotent (kafka-clients' default): InitProducerId is allowed by WRITE on some topic, as in Kafka 4.
    RecordMetadata written = send(true, "orders", "first");
    assertEquals(0, written.offset());
    ExecutionException elsewhere = assertThrows(ExecutionException.class, () -> send(true, "other", "v"));
    assertInstanceOf(TopicAuthorizationException.class, elsewhere.getCause());

    TopicAuthorizationException consume = assertThrows(TopicAuthorizationException.class, () -> consume("orders", null, 1));
    assertEquals(Set.of("orders"), consume.unauthorizedTopics(), "WRITE does not allow READ");
  }

  @Test
  @Order(2)
  void aCreateAclLetsCreateTopicsButNotSeeTheirConfigs() throws Exception {
    acls("--add", "--allow-principal", "User:ANONYMOUS", "--operation", "Create", "--topic", "new-",
        "--resource-pattern-type", "prefixed");
    try (Admin admin = Admin.create(TestNodes.adminProps(node.bootstrapServers()))) {
      CreateTopicsResult created = admin.createTopics(List.of(new NewTopic("new-one", 2, (short) 1)));
      created.all().get(30, TimeUnit.SECONDS);
      assertEquals(2, node.metadata().current().topic("new-one").orElseThrow().partitionCount());
      // Without DESCRIBE_CONFIGS the answer withholds the configs (kafka-clients fails the topic's details).
      ExecutionException configs = assertThrows(ExecutionException.class, () -> created.config("new-one").get(30, TimeUnit.SECONDS));
      assertInstanceOf(TopicAuthorizationException.class, configs.getCause());
      ExecutionException elsewhere = assertThrows(ExecutionException.class,
          () -> admin.createTopics(List.of(new NewTopic("old-one", 1, (short) 1))).all().get(30, TimeUnit.SECONDS));
      assertInstanceOf(TopicAuthorizationException.class, elsewhere.getCause());
    }
  }

  /** An older Java client gets Kafka's error for the refused topic, and the allowed one works. */
  @Test
  @Order(3)
  void kafkaClients28GetsTheAuthorizationError() throws Exception {
    Path jars = Path.of(System.getProperty("client.matrix.dir", "target/client-matrix"), "kafka-clients-2.8.2");
    assertTrue(Files.isDirectory(jars), jars + " is missing: mvn generate-test-resources copies kafka-clients 2.8.2 there");
    List<String> classpath = new ArrayList<>();
    classpath.add(Path.of(ProduceOnceDriver.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
    try (Stream<Path> files = Files.list(jars)) {
      files.filter(f -> f.toString().endsWith(".jar")).sorted().forEach(f -> classpath.add(f.toString()));
    }
    String output = runClient(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", String.join(java.io.File.pathSeparator, classpath), ProduceOnceDriver.class.getName(),
        node.bootstrapServers(), "other", "orders"));
    assertEquals(List.of("other=TopicAuthorizationException", "orders=ok"), output.lines().toList());
  }

  /** librdkafka, through Debian's python3-confluent-kafka as the client matrix runs it, sees the same. */
  @Test
  @Order(4)
  void librdkafkaGetsTheAuthorizationError() throws Exception {
    String script = String.join("\n",
        "import sys, confluent_kafka",
        "for topic in sys.argv[2:]:",
        "    p = confluent_kafka.Producer({'bootstrap.servers': sys.argv[1], 'message.timeout.ms': 20000})",
        "    result = []",
        "    p.produce(topic, b'value', on_delivery=lambda err, msg: result.append(err))",
        "    p.flush(30)",
        "    print(topic + '=' + (result[0].name() if result and result[0] else 'ok' if result else 'no answer'))");
    String output = runClient(List.of("/usr/bin/python3", "-c", script, node.bootstrapServers(), "other", "orders"));
    assertEquals(List.of("other=TOPIC_AUTHORIZATION_FAILED", "orders=ok"), output.lines().toList());
  }

  private static String runClient(List<String> command) throws Exception {
    Path out = Files.createTempFile(dataDir, "client-", ".out");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    if (!process.waitFor(90, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("client did not finish: " + command + "\n" + Files.readString(out));
    }
    return Files.readString(out).lines().filter(line -> line.matches("[\\w.-]+=\\S.*")).collect(java.util.stream.Collectors.joining("\n"));
  }

  @Test
  @Order(5)
  void aPrefixedAclAndAGroupAclLetAConsumerGroupRead() throws Exception {
    acls("--add", "--allow-principal", "User:ANONYMOUS", "--operation", "All", "--topic", "team-a.",
        "--resource-pattern-type", "prefixed");
    send(true, "team-a.events", "one");
    send(true, "team-a.events", "two");

    GroupAuthorizationException group = assertThrows(GroupAuthorizationException.class, () -> consume("team-a.events", "readers", 2));
    assertEquals("readers", group.groupId());
    acls("--add", "--allow-principal", "User:ANONYMOUS", "--operation", "Read", "--group", "readers");
    assertEquals(List.of("one", "two"), consume("team-a.events", "readers", 2));
    ExecutionException unprefixed = assertThrows(ExecutionException.class, () -> send(true, "team-b.events", "v"));
    assertInstanceOf(TopicAuthorizationException.class, unprefixed.getCause());
  }

  @Test
  @Order(6)
  void denyBeatsAllow() throws Exception {
    acls("--add", "--allow-principal", "User:ANONYMOUS", "--operation", "All", "--topic", "secret");
    send(true, "secret", "allowed");
    acls("--add", "--deny-principal", "User:ANONYMOUS", "--operation", "Write", "--topic", "secret");
    ExecutionException denied = assertThrows(ExecutionException.class, () -> send(true, "secret", "denied"));
    assertInstanceOf(TopicAuthorizationException.class, denied.getCause());
    assertEquals(List.of("allowed"), consume("secret", null, 1), "reading is still allowed");

    String listed = acls("--list", "--topic", "secret").stdout();
    assertTrue(listed.contains("permissionType=DENY") && listed.contains("permissionType=ALLOW"), listed);
    acls("--remove", "--force", "--deny-principal", "User:ANONYMOUS", "--operation", "Write", "--topic", "secret");
    assertEquals(1, send(true, "secret", "allowed again").offset());
    assertFalse(acls("--list", "--topic", "secret").stdout().contains("DENY"));
  }

  private static KafkaTools.Result acls(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("--bootstrap-server", node.bootstrapServers()));
    command.addAll(List.of(args));
    return KafkaTools.run(KafkaTools.ACLS, command.toArray(String[]::new)).assertSuccess();
  }

  private static RecordMetadata send(boolean idempotent, String topic, String value) throws Exception {
    Properties props = TestNodes.producerProps(node.bootstrapServers());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, idempotent);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      return producer.send(new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
    }
  }

  /** Reads {@code count} values from partition 0: assigned without a group, or subscribed with one. */
  private static List<String> consume(String topic, String group, int count) {
    Properties props = TestNodes.consumerProps(node.bootstrapServers());
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    if (group != null) {
      props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    }
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      if (group == null) {
        consumer.assign(List.of(new TopicPartition(topic, 0)));
        consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
      } else {
        consumer.subscribe(List.of(topic));
      }
      List<String> values = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.size() < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(new String(record.value(), StandardCharsets.UTF_8));
        }
      }
      return values;
    }
  }
}
