package io.vltava.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.vltava.clients.DriverProcess;
import io.vltava.node.CapturedLog;
import io.vltava.node.TestNodes;
import io.vltava.node.VltavaNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose SASL listener offers OAUTHBEARER, validating tokens against the JWKS of a loopback
 * identity provider ({@link TestIdentityProvider}), with authorization on and User:admin the super
 * user. kafka-clients 4.3.1 fetch tokens from the provider's token endpoint with Kafka's own
 * OAuthBearerLoginCallbackHandler, as users run it; kafkajs fetches them itself. ACLs apply to the
 * token's subject; bad tokens are refused and never logged; short-lived tokens are renewed on the
 * same connection.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class OAuthBearerTest {

  /** A topic no ACL names: only the super user may use it. */
  private static final String FORBIDDEN_TOPIC = "oauth-audit";

  @TempDir static Path dataDir;
  @TempDir static Path outputDir;
  private static TestIdentityProvider idp;
  private static VltavaNode node;

  @RegisterExtension
  final CapturedLog log = new CapturedLog(org.slf4j.Logger.ROOT_LOGGER_NAME, Level.INFO);

  @BeforeAll
  static void start() throws Exception {
    idp = TestIdentityProvider.start();
    // Kafka 4 clients fetch only from token endpoints this JVM-wide list names (the node adds its JWKS itself).
    OAuthBearerValidator.allow(OAuthBearerValidator.ALLOWED_URLS_PROPERTY, idp.tokenUrl());
    node = TestNodes.start(dataDir, Map.of(
        "vltava.listeners", "SASL_PLAINTEXT://127.0.0.1:0,PLAINTEXT://127.0.0.1:0",
        "vltava.inter.broker.listener.name", "PLAINTEXT",
        "vltava.sasl.enabled.mechanisms", List.of("OAUTHBEARER"),
        "vltava.sasl.oauthbearer.jwks.endpoint.url", idp.jwksUrl(),
        "vltava.sasl.oauthbearer.expected.audience", List.of(TestIdentityProvider.AUDIENCE),
        "vltava.sasl.oauthbearer.expected.issuer", TestIdentityProvider.ISSUER,
        // Tokens expire exactly when they say: a client still using an expired one is refused.
        "vltava.sasl.oauthbearer.clock.skew.seconds", 0,
        "vltava.authorization.enabled", true,
        "vltava.authorization.super.users", "User:admin"));
    try (Admin admin = Admin.create(fromTokenEndpoint("admin"))) {
      admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(FORBIDDEN_TOPIC, 1, (short) 1)))
          .all().get(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    if (idp != null) {
      idp.close();
    }
  }

  @Test
  void kafkaClientsProduceAndConsumeAsTheTokensSubjectUnderItsAcls() throws Exception {
    String topic = "oauth-orders";
    try (Admin admin = Admin.create(fromTokenEndpoint("admin"))) {
      SecureDrivers.grantOwnTopic(admin, "User:alice", topic);
    }
    Properties producerProps = TestNodes.producerProps(bootstrap());
    producerProps.putAll(fromTokenEndpoint("alice"));
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps)) {
      for (int i = 0; i < 3; i++) {
        assertEquals(i, producer.send(new ProducerRecord<>(topic, ("order-" + i).getBytes(StandardCharsets.UTF_8)))
            .get(30, TimeUnit.SECONDS).offset());
      }
      assertDenied(producer, FORBIDDEN_TOPIC);
    }
    Properties consumerProps = TestNodes.consumerProps(bootstrap());
    consumerProps.putAll(fromTokenEndpoint("alice"));
    consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, topic);
    consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps)) {
      consumer.subscribe(List.of(topic));
      assertEquals(List.of("order-0", "order-1", "order-2"), SecureDrivers.poll(consumer, 3));
    }
    // Another subject of the same provider has no ACL on the topic.
    Properties bobProps = TestNodes.producerProps(bootstrap());
    bobProps.putAll(fromTokenEndpoint("bob"));
    try (KafkaProducer<byte[], byte[]> bob = new KafkaProducer<>(bobProps)) {
      assertDenied(bob, topic);
    }
  }

  @Test
  void badTokensAreRefusedWithoutBeingLoggedAndTheNodeServesOthers() throws Exception {
    // Each refused token, and what its log line must say (other tests may log refusals meanwhile).
    Map<String, String> refused = new LinkedHashMap<>();
    JwtClaims wrongAudience = TestIdentityProvider.claims("wrong-audience-user", Duration.ofMinutes(5));
    wrongAudience.setAudience("another-service");
    refused.put(idp.signed(wrongAudience), "\"sub\":\"wrong-audience-user\"");
    JwtClaims wrongIssuer = TestIdentityProvider.claims("wrong-issuer-user", Duration.ofMinutes(5));
    wrongIssuer.setIssuer("https://elsewhere.test");
    refused.put(idp.signed(wrongIssuer), "\"sub\":\"wrong-issuer-user\"");
    JwtClaims expired = TestIdentityProvider.claims("expired-user", Duration.ofMinutes(5));
    expired.setIssuedAt(NumericDate.fromMilliseconds(System.currentTimeMillis() - 120_000));
    expired.setExpirationTime(NumericDate.fromMilliseconds(System.currentTimeMillis() - 60_000));
    refused.put(idp.signed(expired), "\"sub\":\"expired-user\"");
    JwtClaims valid = TestIdentityProvider.claims("admin", Duration.ofMinutes(5));
    refused.put(idp.signedByStranger(valid, TestIdentityProvider.KEY_ID), "Invalid JWS Signature");
    refused.put(idp.signedByStranger(valid, "oauth-test-unknown-key"), "\"kid\":\"oauth-test-unknown-key\"");
    for (Map.Entry<String, String> token : refused.entrySet()) {
      try (Admin admin = Admin.create(withToken(token.getKey()))) {
        ExecutionException failed = assertThrows(ExecutionException.class,
            () -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS), token.getValue());
        assertInstanceOf(SaslAuthenticationException.class, failed.getCause(), token.getValue());
      }
    }
    try (Admin admin = Admin.create(withToken(idp.token("admin", Duration.ofMinutes(5))))) {
      assertEquals(1, admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size());
    }
    List<String> logged = log.messages();
    for (Map.Entry<String, String> token : refused.entrySet()) {
      assertTrue(logged.stream().anyMatch(line -> line.startsWith("OAUTHBEARER token refused") && line.contains(token.getValue())),
          "the refusal of " + token.getValue() + " is logged:\n" + String.join("\n", logged));
      String signature = token.getKey().substring(token.getKey().lastIndexOf('.') + 1);
      for (String line : logged) {
        assertFalse(line.contains(signature), "a token in the log: " + line);
      }
    }
  }

  @Test
  void clientsReauthenticateWithFreshTokensBeforeTheirsExpire() throws Exception {
    Duration tokenLifetime = Duration.ofSeconds(6);
    idp.tokenLifetime("renewer", tokenLifetime);
    try (Admin admin = Admin.create(fromTokenEndpoint("admin"))) {
      SecureDrivers.grantOwnTopic(admin, "User:renewer", "oauth-renewed");
    }
    Properties props = TestNodes.producerProps(bootstrap());
    props.putAll(fromTokenEndpoint("renewer"));
    // Refresh the token halfway through its life (Kafka's defaults assume tokens live for an hour).
    props.put(SaslConfigs.SASL_LOGIN_REFRESH_WINDOW_FACTOR, 0.5);
    props.put(SaslConfigs.SASL_LOGIN_REFRESH_WINDOW_JITTER, 0.0);
    props.put(SaslConfigs.SASL_LOGIN_REFRESH_MIN_PERIOD_SECONDS, (short) 0);
    props.put(SaslConfigs.SASL_LOGIN_REFRESH_BUFFER_SECONDS, (short) 0);
    // Records flow across three token lifetimes; the node ends each session when its token expires.
    SecureDrivers.assertProducerReauthenticates(props, "oauth-renewed", tokenLifetime.multipliedBy(3), 2);
    assertTrue(idp.tokensIssued("renewer") >= 3, "fresh tokens were fetched: " + idp.tokensIssued("renewer"));
  }

  @Test
  void kafkajsAuthenticatesWithTokensFromTheTokenEndpoint() throws Exception {
    Path dir = DriverProcess.CLIENTS_DIR.resolve("kafkajs");
    DriverProcess.requireClient(Files.isDirectory(dir.resolve("node_modules/kafkajs"))
        && DriverProcess.succeeds(List.of("node", "--version")), "node and kafkajs", "npm ci --prefix " + dir);
    String topic = "oauth-kafkajs";
    try (Admin admin = Admin.create(fromTokenEndpoint("admin"))) {
      SecureDrivers.grantOwnTopic(admin, "User:kafkajs-app", topic);
    }
    SecureDrivers.assertReadsBackItsRecordsAndIsDenied(List.of("node", dir.resolve("secure.js").toString(),
        bootstrap(), "-", "OAUTHBEARER", "kafkajs-app", "kafkajs-app-secret", topic, FORBIDDEN_TOPIC, idp.tokenUrl()),
        outputDir, "kafkajs-oauth", "kafkajs");
    assertTrue(idp.tokensIssued("kafkajs-app") >= 1);
  }

  private static String bootstrap() {
    return node.bootstrapServers("SASL_PLAINTEXT");
  }

  /** What users configure: Kafka's login handler fetching tokens for {@code clientId} from the token endpoint. */
  private static Properties fromTokenEndpoint(String clientId) {
    Properties props = oauthBearer();
    props.put(SaslConfigs.SASL_LOGIN_CALLBACK_HANDLER_CLASS, OAuthBearerLoginCallbackHandler.class.getName());
    props.put(SaslConfigs.SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL, idp.tokenUrl());
    props.put(SaslConfigs.SASL_OAUTHBEARER_CLIENT_CREDENTIALS_CLIENT_ID, clientId);
    props.put(SaslConfigs.SASL_OAUTHBEARER_CLIENT_CREDENTIALS_CLIENT_SECRET, clientId + "-secret");
    props.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;");
    return props;
  }

  private static Properties withToken(String token) {
    Properties props = oauthBearer();
    props.put(SaslConfigs.SASL_LOGIN_CALLBACK_HANDLER_CLASS, StaticTokenLogin.class.getName());
    props.put(SaslConfigs.SASL_JAAS_CONFIG, StaticTokenLogin.jaasConfig(token));
    return props;
  }

  private static Properties oauthBearer() {
    Properties props = new Properties();
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
    props.put(SaslConfigs.SASL_MECHANISM, "OAUTHBEARER");
    props.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    return props;
  }

  private static void assertDenied(KafkaProducer<byte[], byte[]> producer, String topic) {
    ExecutionException refused = assertThrows(ExecutionException.class, () -> producer.send(
        new ProducerRecord<>(topic, "x".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS));
    assertEquals(Set.of(topic), assertInstanceOf(TopicAuthorizationException.class, refused.getCause()).unauthorizedTopics());
  }
}
