package io.vltava.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.vltava.clients.DriverProcess;
import io.vltava.kafka.KafkaSocket;
import io.vltava.node.KafkaTools;
import io.vltava.node.NodeSettings;
import io.vltava.node.TestNodes;
import io.vltava.node.VltavaNode;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileInputStream;
import java.io.Reader;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example of examples/secure (setup.sh's keystores, node.conf, admin.properties) on free ports,
 * with real clients over SASL_SSL and authorization on: the bootstrap admin creates a SCRAM user,
 * kafka-acls lets her write one topic and then read it, and everything no ACL allows is refused;
 * librdkafka and kafkajs run as their own users with their own ACLs; a wrong password is refused; a
 * plaintext client on the TLS port, and an oversized frame before authentication, close only their
 * own connection; the web console, which needs a PLAINTEXT listener, answers 503.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SecureExampleTest {

  /** Short, so that clients re-authenticate (KIP-368) while the tests run. */
  private static final Duration SESSION_LIFETIME = Duration.ofSeconds(3);

  /** A topic that no ACL names: only the super user may use it. */
  private static final String FORBIDDEN_TOPIC = "secure-audit";

  @TempDir static Path generated;
  @TempDir static Path dataDir;
  private static VltavaNode node;
  /** examples/secure/admin.properties, pointed at this test's node and truststore. */
  private static Path adminProperties;

  @BeforeAll
  static void start() throws Exception {
    ExampleStores.create(generated);
    Config example = ConfigFactory.parseFile(Path.of("examples/secure/node.conf").toFile());
    Config onFreePorts = ConfigFactory.parseMap(Map.of(
        "vltava.listeners", "SASL_SSL://127.0.0.1:0,BROKER://127.0.0.1:0",
        "vltava.ssl.keystore.location", generated.resolve("node.keystore.p12").toString(),
        "vltava.ssl.truststore.location", generated.resolve("client.truststore.p12").toString(),
        "vltava.data-dir", dataDir.toString(),
        "vltava.http.port", 0,
        "vltava.listener.connections.max.reauth.ms", SESSION_LIFETIME.toMillis()));
    // A PLAIN user besides admin, for librdkafka, which cannot use SCRAM (see librdkafkaProducesAndConsumesWithPlainOverTls).
    Config librdkafkaUser = ConfigFactory.parseString(
        "vltava.sasl.plain.users = ${vltava.sasl.plain.users} [ { name = rdkafka, password = rdkafka-secret } ]");
    node = VltavaNode.start(NodeSettings.load(librdkafkaUser.withFallback(onFreePorts).withFallback(example).resolve()));
    adminProperties = writeAdminProperties();
    try (Admin admin = Admin.create(client("SCRAM-SHA-512", "admin", "admin-secret"))) {
      admin.createTopics(List.of(new NewTopic(FORBIDDEN_TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  /** Item 8 of the example: kafka-acls grants alice WRITE on one topic, then READ on it and a group. */
  @Test
  void kafkaAclsLetAUserWriteOneTopicAndThenReadIt() throws Exception {
    try (Admin admin = Admin.create(client("SCRAM-SHA-512", "admin", "admin-secret"))) {
      admin.createTopics(List.of(new NewTopic("secure-orders", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
      admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("alice",
          new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), "alice-secret"))).all().get(30, TimeUnit.SECONDS);
      assertEquals(List.of(new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096)),
          admin.describeUserScramCredentials(List.of("alice")).description("alice").get(30, TimeUnit.SECONDS).credentialInfos());
    }
    kafkaAcls("--add", "--allow-principal", "User:alice", "--operation", "Write", "--topic", "secure-orders");
    Properties alice = client("SCRAM-SHA-512", "alice", "alice-secret");
    Properties producerProps = TestNodes.producerProps(node.bootstrapServers());
    producerProps.putAll(alice);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps)) {
      for (int i = 0; i < 3; i++) {
        assertEquals(i, producer.send(new ProducerRecord<>("secure-orders", ("order-" + i).getBytes(StandardCharsets.UTF_8)))
            .get(30, TimeUnit.SECONDS).offset());
      }
      ExecutionException refused = assertThrows(ExecutionException.class, () -> producer.send(
          new ProducerRecord<>(FORBIDDEN_TOPIC, "x".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS));
      TopicAuthorizationException denied = assertInstanceOf(TopicAuthorizationException.class, refused.getCause());
      assertEquals(Set.of(FORBIDDEN_TOPIC), denied.unauthorizedTopics());
    }
    Properties consumerProps = TestNodes.consumerProps(node.bootstrapServers());
    consumerProps.putAll(alice);
    consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "order-readers");
    consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps)) {
      consumer.subscribe(List.of("secure-orders"));
      assertInstanceOf(GroupAuthorizationException.class, assertThrows(AuthorizationException.class, () -> SecureDrivers.poll(consumer, 3)));
    }
    kafkaAcls("--add", "--allow-principal", "User:alice", "--operation", "Read", "--group", "order-readers");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps)) {
      consumer.subscribe(List.of("secure-orders"));
      TopicAuthorizationException noRead = assertInstanceOf(TopicAuthorizationException.class,
          assertThrows(AuthorizationException.class, () -> SecureDrivers.poll(consumer, 3)));
      assertEquals(Set.of("secure-orders"), noRead.unauthorizedTopics());
    }
    kafkaAcls("--add", "--allow-principal", "User:alice", "--operation", "Read", "--topic", "secure-orders");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps)) {
      consumer.subscribe(List.of("secure-orders"));
      assertEquals(List.of("order-0", "order-1", "order-2"), SecureDrivers.poll(consumer, 3));
      consumer.commitSync(Duration.ofSeconds(30));
    }
    String listed = kafkaAcls("--list", "--principal", "User:alice").stdout();
    assertTrue(listed.contains("User:alice") && listed.contains("WRITE") && listed.contains("READ"), listed);
  }

  /** kafka-acls as admin, configured by examples/secure/admin.properties. */
  private static KafkaTools.Result kafkaAcls(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("--bootstrap-server", node.bootstrapServers(),
        "--command-config", adminProperties.toString()));
    command.addAll(List.of(args));
    return KafkaTools.run(KafkaTools.ACLS, command.toArray(String[]::new)).assertSuccess();
  }

  /** The web console reaches the cluster without credentials, so with only TLS/SASL listeners it says so. */
  @Test
  void theWebConsoleAnswers503WithoutAPlaintextListener() throws Exception {
    InetSocketAddress address = node.httpAddress().orElseThrow();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    for (String path : List.of("/api/cluster", "/api/topics")) {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(
              URI.create("http://" + address.getHostString() + ":" + address.getPort() + path))
          .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(503, response.statusCode(), path);
      String error = new ObjectMapper().readTree(response.body()).get("error").asText();
      assertTrue(error.contains("PLAINTEXT listener"), error);
    }
  }

  @Test
  void kafkaClientsRenewTheirSessionOnTheSameConnection() throws Exception {
    Properties props = TestNodes.producerProps(node.bootstrapServers());
    props.putAll(client("SCRAM-SHA-512", "admin", "admin-secret"));
    // Records keep flowing across two session lifetimes, so the client re-authenticates in between.
    SecureDrivers.assertProducerReauthenticates(props, "secure-renewed", SESSION_LIFETIME.multipliedBy(2), 1);
  }

  private static Path writeAdminProperties() throws Exception {
    Properties properties = new Properties();
    try (Reader in = Files.newBufferedReader(Path.of("examples/secure/admin.properties"))) {
      properties.load(in);
    }
    properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
    properties.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, generated.resolve("client.truststore.p12").toString());
    Path file = generated.resolve("admin.properties");
    try (Writer out = Files.newBufferedWriter(file)) {
      properties.store(out, "examples/secure/admin.properties for this test's node");
    }
    return file;
  }

  /** kafka-configs, configured by examples/secure/admin.properties (with this test's truststore and port). */
  @Test
  void kafkaConfigsAddsAndDeletesScramUsers() throws Exception {
    Path commandConfig = adminProperties;
    KafkaTools.run("kafka.admin.ConfigCommand", "--bootstrap-server", node.bootstrapServers(), "--command-config",
        commandConfig.toString(), "--alter", "--add-config", "SCRAM-SHA-512=[iterations=8192,password=carol-secret]",
        "--entity-type", "users", "--entity-name", "carol").assertSuccess();
    try (Admin carol = Admin.create(client("SCRAM-SHA-512", "carol", "carol-secret"))) {
      assertEquals(1, carol.describeCluster().nodes().get(30, TimeUnit.SECONDS).size());
    }
    KafkaTools.run("kafka.admin.ConfigCommand", "--bootstrap-server", node.bootstrapServers(), "--command-config",
        commandConfig.toString(), "--alter", "--delete-config", "SCRAM-SHA-512",
        "--entity-type", "users", "--entity-name", "carol").assertSuccess();
    try (Admin carol = Admin.create(client("SCRAM-SHA-512", "carol", "carol-secret"))) {
      ExecutionException refused = assertThrows(ExecutionException.class,
          () -> carol.describeCluster().nodes().get(30, TimeUnit.SECONDS));
      assertInstanceOf(SaslAuthenticationException.class, refused.getCause());
    }
  }

  @Test
  void plainUsersFromTheConfigAuthenticate() throws Exception {
    try (Admin admin = Admin.create(client("PLAIN", "admin", "admin-secret"))) {
      assertEquals(1, admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size());
    }
  }

  @Test
  void aWrongPasswordIsRefused() {
    try (Admin admin = Admin.create(client("SCRAM-SHA-512", "admin", "guess"))) {
      ExecutionException refused = assertThrows(ExecutionException.class,
          () -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS));
      assertInstanceOf(SaslAuthenticationException.class, refused.getCause());
    }
  }

  @Test
  void aPlaintextClientOnTheTlsPortIsRefusedAndTheNodeServesOthers() throws Exception {
    try (KafkaSocket plaintext = new KafkaSocket(node.kafkaAddress())) {
      plaintext.send(new org.apache.kafka.common.requests.RequestHeader(org.apache.kafka.common.protocol.ApiKeys.API_VERSIONS,
          (short) 3, "plaintext", 1), new ApiVersionsRequest.Builder().build((short) 3));
      assertTrue(plaintext.closedByPeer(), "the TLS listener closes a connection that does not speak TLS");
    }
    plainUsersFromTheConfigAuthenticate();
  }

  @Test
  void anOversizedFrameBeforeAuthenticationClosesOnlyItsConnection() throws Exception {
    try (SSLSocket tls = (SSLSocket) clientTls().getSocketFactory().createSocket()) {
      tls.connect(node.kafkaAddress(), 10_000);
      tls.setSoTimeout(10_000);
      DataOutputStream out = new DataOutputStream(tls.getOutputStream());
      // Over sasl.server.max.receive.size (512 KiB), well under socket.request.max.bytes.
      out.writeInt(10 * 1024 * 1024);
      out.write(new byte[1024]);
      out.flush();
      assertEquals(-1, new DataInputStream(tls.getInputStream()).read(), "the node closes the connection");
    }
    plainUsersFromTheConfigAuthenticate();
  }

  /**
   * PLAIN: librdkafka before 2.6.1 (Debian's is 2.0.2) answers SCRAM with a wrong nonce, which
   * kafka-clients' ScramSaslServer refuses since the fix of CVE-2024-56128, as Apache Kafka 4 does.
   */
  @Test
  void librdkafkaProducesAndConsumesWithPlainOverTls() throws Exception {
    // Debian's module is installed for Debian's interpreter, not whichever python3 is first on PATH.
    String python = "/usr/bin/python3";
    DriverProcess.requireClient(DriverProcess.succeeds(List.of(python, "-c", "import confluent_kafka")),
        "python3-confluent-kafka (librdkafka)", "apt-get install python3-confluent-kafka");
    assertConsumedByDriver("librdkafka", List.of(python, DriverProcess.CLIENTS_DIR.resolve("librdkafka/secure.py").toString()),
        "PLAIN", "rdkafka", "rdkafka-secret");
  }

  @Test
  void kafkajsProducesAndConsumesWithScramOverTls() throws Exception {
    Path dir = DriverProcess.CLIENTS_DIR.resolve("kafkajs");
    DriverProcess.requireClient(Files.isDirectory(dir.resolve("node_modules/kafkajs"))
        && DriverProcess.succeeds(List.of("node", "--version")), "node and kafkajs", "npm ci --prefix " + dir);
    assertConsumedByDriver("kafkajs", List.of("node", dir.resolve("secure.js").toString()), "SCRAM-SHA-512", "kafkajs-user",
        "kafkajs-secret");
  }

  /**
   * Runs a client's driver as {@code user} (a SCRAM user is created first) on its own topic, which
   * the admin lets the user write and read with the group "secure-CLIENT" (see {@link SecureDrivers}).
   */
  private static void assertConsumedByDriver(String clientName, List<String> driver, String mechanism, String user, String password)
      throws Exception {
    String topic = "secure-" + clientName;
    try (Admin admin = Admin.create(client("SCRAM-SHA-512", "admin", "admin-secret"))) {
      if (mechanism.startsWith("SCRAM")) {
        admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
            new ScramCredentialInfo(ScramMechanism.fromMechanismName(mechanism), 8192), password))).all().get(30, TimeUnit.SECONDS);
      }
      SecureDrivers.grantOwnTopic(admin, "User:" + user, topic);
    }
    List<String> command = new ArrayList<>(driver);
    command.addAll(List.of(node.bootstrapServers(), generated.resolve("ca.crt").toString(), mechanism, user, password, topic,
        FORBIDDEN_TOPIC));
    SecureDrivers.assertReadsBackItsRecordsAndIsDenied(command, generated.resolve("drivers"), clientName, clientName);
  }

  private static Properties client(String mechanism, String user, String password) {
    Properties props = new Properties();
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
    props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
    props.put(SaslConfigs.SASL_MECHANISM, mechanism);
    String module = mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
        : "org.apache.kafka.common.security.scram.ScramLoginModule";
    props.put(SaslConfigs.SASL_JAAS_CONFIG, module + " required username=\"" + user + "\" password=\"" + password + "\";");
    props.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, generated.resolve("client.truststore.p12").toString());
    props.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, "changeit");
    props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
    props.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    return props;
  }

  private static SSLContext clientTls() throws Exception {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(generated.resolve("client.truststore.p12").toFile())) {
      trusted.load(in, "changeit".toCharArray());
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }
}
