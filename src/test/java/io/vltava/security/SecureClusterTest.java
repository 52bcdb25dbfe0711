package io.vltava.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.vltava.node.TestNodes;
import io.vltava.testkit.VltavaCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes secured end to end: Artery over TLS between them (pekko.remote.artery.transport =
 * tls-tcp with mutual authentication), clients on SASL_SSL, followers fetching over an SSL listener
 * that requires the node certificate, and authorization on with examples/secure/node.conf's super
 * users, which name that certificate's subject. An acks=all write to a topic with two in-sync
 * replicas is acknowledged only once the follower has fetched it over TLS, as an authorized node.
 */
@Tag("slow")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SecureClusterTest {

  @TempDir Path generated;
  @TempDir Path baseDir;

  @Test
  void clientsReplicationAndArteryAllRunOverTls() throws Exception {
    ExampleStores.create(generated);
    String keystore = generated.resolve("node.keystore.p12").toString();
    String truststore = generated.resolve("client.truststore.p12").toString();
    Map<String, Object> settings = new HashMap<>();
    settings.put("vltava.listeners", "SASL_SSL://127.0.0.1:0,SSL://127.0.0.1:0");
    settings.put("vltava.inter.broker.listener.name", "SSL");
    settings.put("vltava.ssl.keystore.location", keystore);
    settings.put("vltava.ssl.keystore.password", "changeit");
    settings.put("vltava.ssl.truststore.location", truststore);
    settings.put("vltava.ssl.truststore.password", "changeit");
    settings.put("vltava.ssl.client.auth", "required");
    settings.put("vltava.sasl.scram.bootstrap.credentials", List.of("SCRAM-SHA-512=[name=admin,password=admin-secret]"));
    settings.put("vltava.topic-defaults.min.insync.replicas", 2);
    Config exampleAuthorization = ConfigFactory.parseFile(Path.of("examples/secure/node.conf").toFile()).getConfig("vltava.authorization");
    settings.put("vltava.authorization.enabled", exampleAuthorization.getBoolean("enabled"));
    settings.put("vltava.authorization.super.users", exampleAuthorization.getString("super.users"));
    settings.put("pekko.remote.artery.transport", "tls-tcp");
    settings.put("pekko.remote.artery.ssl.config-ssl-engine.key-store", keystore);
    settings.put("pekko.remote.artery.ssl.config-ssl-engine.key-store-password", "changeit");
    settings.put("pekko.remote.artery.ssl.config-ssl-engine.key-password", "changeit");
    settings.put("pekko.remote.artery.ssl.config-ssl-engine.trust-store", truststore);
    settings.put("pekko.remote.artery.ssl.config-ssl-engine.trust-store-password", "changeit");
    try (VltavaCluster cluster = VltavaCluster.start(2, baseDir, settings)) {
      assertEquals("tls-tcp", cluster.node(1).system().settings().config().getString("pekko.remote.artery.transport"));
      assertTrue(cluster.node(2).system().settings().config().getBoolean("vltava.authorization.enabled"));
      Properties admin = client(cluster.node(1).bootstrapServers("SASL_SSL"), truststore);
      try (Admin tools = Admin.create(admin)) {
        tools.createTopics(List.of(new NewTopic("replicated", 1, (short) 2))).all().get(60, TimeUnit.SECONDS);
      }
      cluster.awaitFullIsr("replicated");
      Properties producerProps = TestNodes.producerProps(admin.getProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
      producerProps.putAll(admin);
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps)) {
        for (int i = 0; i < 5; i++) {
          producer.send(new ProducerRecord<>("replicated", ("r" + i).getBytes(StandardCharsets.UTF_8))).get(60, TimeUnit.SECONDS);
        }
      }
      Properties consumerProps = TestNodes.consumerProps(cluster.node(2).bootstrapServers("SASL_SSL"));
      consumerProps.putAll(client(cluster.node(2).bootstrapServers("SASL_SSL"), truststore));
      try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps)) {
        TopicPartition partition = new TopicPartition("replicated", 0);
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        List<String> values = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (values.size() < 5 && System.nanoTime() < deadline) {
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
            values.add(new String(record.value(), StandardCharsets.UTF_8));
          }
        }
        assertEquals(List.of("r0", "r1", "r2", "r3", "r4"), values);
      }
    }
  }

  private static Properties client(String bootstrap, String truststore) {
    Properties props = new Properties();
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
    props.put(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-512");
    props.put(SaslConfigs.SASL_JAAS_CONFIG,
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"admin-secret\";");
    props.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, truststore);
    props.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, "changeit");
    props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
    return props;
  }
}
