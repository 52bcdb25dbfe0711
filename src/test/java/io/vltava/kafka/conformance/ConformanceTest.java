package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vltava.node.GroupTestSupport;
import io.vltava.node.TestNodes;
import io.vltava.node.VltavaNode;
import io.vltava.security.TestIdentityProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Every API at every version the node advertises, each checked by its {@link ApiCase} over real
 * TCP. An advertised version without a case fails, so adding a version forces a case; a case for
 * an API the node does not advertise fails too, so the table never drifts. No valid request may
 * close a connection: each check ends by asking ApiVersions on the same connection, and the
 * listener must log no closed connection beyond the ones a case expected, nor the dispatcher a
 * response it could not write at its version.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ConformanceTest {

  @TempDir static Path dataDir;
  private static VltavaNode node;
  private static ConformanceBroker broker;
  private static final ListAppender<ILoggingEvent> protocolLog = new ListAppender<>();

  @BeforeAll
  static void start() throws Exception {
    protocolLog.start();
    ((Logger) LoggerFactory.getLogger("io.vltava.kafka")).addAppender(protocolLog);
    Map<String, Object> settings = new HashMap<>(GroupTestSupport.FAST_GROUPS);
    settings.put("vltava.topics.auto.create.topics.enable", false);
    // Plain text first (what the cases use), and a SASL listener for the SASL APIs.
    settings.put("vltava.listeners", "PLAINTEXT://127.0.0.1:0," + SaslCases.LISTENER + "://127.0.0.1:0");
    settings.put("vltava.sasl.enabled.mechanisms", SaslCases.OFFERED);
    SaslCases.identityProvider = TestIdentityProvider.start();
    settings.put("vltava.sasl.oauthbearer.jwks.endpoint.url", SaslCases.identityProvider.jwksUrl());
    settings.put("vltava.sasl.oauthbearer.expected.audience", List.of(TestIdentityProvider.AUDIENCE));
    settings.put("vltava.sasl.oauthbearer.expected.issuer", TestIdentityProvider.ISSUER);
    settings.put("vltava.sasl.plain.users", List.of(Map.of("name", SaslCases.PLAIN_USER, "password", SaslCases.PLAIN_PASSWORD)));
    settings.put("vltava.sasl.scram.bootstrap.credentials",
        List.of("SCRAM-SHA-256=[name=" + SaslCases.SCRAM_USER + ",password=" + SaslCases.SCRAM_PASSWORD + "]"));
    // Authorization on, but a resource no ACL names stays open: only the ACL cases' own resources are affected.
    settings.put("vltava.authorization.enabled", true);
    settings.put("vltava.authorization.allow.everyone.if.no.acl.found", true);
    // A partition-mutation bucket of 2 s of quota, so that a few partitions overdraw it (MutationQuotaChecks).
    settings.put("vltava.quotas.controller.quota.window.num", 2);
    node = TestNodes.start(dataDir, settings);
    broker = new ConformanceBroker(node);
  }

  @AfterAll
  static void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger("io.vltava.kafka")).detachAppender(protocolLog);
    if (broker != null) {
      broker.close();
    }
    if (node != null) {
      node.close();
    }
    if (SaslCases.identityProvider != null) {
      SaslCases.identityProvider.close();
    }
  }

  @TestFactory
  List<DynamicTest> everyAdvertisedVersion() throws Exception {
    Map<ApiKeys, ApiCase> cases = new EnumMap<>(ApiKeys.class);
    ConformanceCases.all().forEach(apiCase -> {
      if (cases.put(apiCase.apiKey(), apiCase) != null) {
        fail("two conformance cases for " + apiCase.apiKey());
      }
    });
    List<DynamicTest> tests = new ArrayList<>();
    for (ApiVersion advertised : advertisedVersions()) {
      ApiKeys key = ApiKeys.forId(advertised.apiKey());
      ApiCase apiCase = cases.remove(key);
      for (short version = advertised.minVersion(); version <= advertised.maxVersion(); version++) {
        short atVersion = version;
        tests.add(DynamicTest.dynamicTest(key.name + " v" + version, () -> {
          if (apiCase == null) {
            fail(key.name + " v" + atVersion + " is advertised but has no conformance case");
          }
          apiCase.check(broker, atVersion);
          broker.assertConnectionOpen();
        }));
      }
    }
    Set<ApiKeys> notAdvertised = cases.keySet();
    tests.add(DynamicTest.dynamicTest("no case for an API that is not advertised",
        () -> assertTrue(notAdvertised.isEmpty(), "cases for APIs the node does not advertise: " + notAdvertised)));
    tests.add(DynamicTest.dynamicTest("no connection closed but those a case expected, no response unwritable",
        () -> assertEquals(List.of(), protocolFailures())));
    return tests;
  }

  private static List<ApiVersion> advertisedVersions() throws Exception {
    ApiVersionsResponse response = broker.send(new ApiVersionsRequestData()
        .setClientSoftwareName("conformance").setClientSoftwareVersion("1.0"), ApiKeys.API_VERSIONS.latestVersion());
    return new ArrayList<>(response.data().apiKeys());
  }

  /** Closed connections no case asked for, and responses a handler filled beyond their version. */
  private static List<String> protocolFailures() {
    List<ILoggingEvent> logged;
    synchronized (protocolLog) { // the appender adds under its own lock, from the node's threads
      logged = List.copyOf(protocolLog.list);
    }
    return logged.stream()
        .map(ILoggingEvent::getFormattedMessage)
        .filter(message -> message.startsWith("Closing Kafka connection") || message.startsWith("BUG:"))
        .filter(message -> ConformanceBroker.expectedClosures().stream().noneMatch(message::contains))
        .collect(Collectors.toList());
  }
}
