package io.vltava.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.vltava.metadata.ScramCredentials;
import io.vltava.node.CapturedLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.security.sasl.SaslServer;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.security.auth.SaslExtensions;
import org.apache.kafka.common.security.authenticator.SaslInternalConfigs;
import org.apache.kafka.common.security.oauthbearer.internals.OAuthBearerClientInitialResponse;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OAUTHBEARER server SaslServers makes, fed client tokens as kafka-clients' OAuthBearerSaslClient
 * sends them, against a JWKS served over HTTP on loopback or read from a file: which tokens it
 * accepts, the principal and expiry it reports, and that refusals are logged without the token.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class OAuthBearerValidatorTest {

  private static TestIdentityProvider idp;
  private static OAuthBearerValidator overHttp;

  @TempDir static Path dir;

  @RegisterExtension
  final CapturedLog refusals = new CapturedLog(OAuthBearerValidator.class.getName(), Level.INFO);

  @BeforeAll
  static void start() throws Exception {
    idp = TestIdentityProvider.start();
    overHttp = OAuthBearerValidator.start(settings(idp.jwksUrl(), "sub"));
  }

  @AfterAll
  static void stop() {
    overHttp.close();
    idp.close();
  }

  private static OAuthBearerSettings settings(String jwksUrl, String subClaimName) {
    return new OAuthBearerSettings(jwksUrl, 3_600_000, 100, 10_000, List.of(TestIdentityProvider.AUDIENCE),
        TestIdentityProvider.ISSUER, subClaimName, "scope", 0);
  }

  private static SaslServer server(OAuthBearerValidator validator) {
    SaslSettings sasl = new SaslSettings(List.of(SaslSettings.OAUTHBEARER), 4096, Map.of(), List.of(),
        settings(idp.jwksUrl(), "sub"));
    return new SaslServers(sasl, () -> ScramCredentials.NONE, Optional.of(validator)).create(SaslSettings.OAUTHBEARER).orElseThrow();
  }

  private static byte[] initialResponse(String token) throws Exception {
    return new OAuthBearerClientInitialResponse(token, SaslExtensions.empty()).toBytes();
  }

  @Test
  void aValidTokenAuthenticatesItsSubjectUntilItsExpiry() throws Exception {
    JwtClaims claims = TestIdentityProvider.claims("alice", Duration.ofMinutes(5));
    SaslServer server = server(overHttp);
    assertArrayEquals(new byte[0], server.evaluateResponse(initialResponse(idp.signed(claims))));
    assertTrue(server.isComplete());
    assertEquals("alice", server.getAuthorizationID());
    assertEquals(claims.getExpirationTime().getValueInMillis(),
        server.getNegotiatedProperty(SaslInternalConfigs.CREDENTIAL_LIFETIME_MS_SASL_NEGOTIATED_PROPERTY_KEY));
  }

  @Test
  void aJwksFileWorksAndTheConfiguredClaimNamesThePrincipal() throws Exception {
    String jwksFile = idp.writeJwks(dir.resolve("jwks.json"));
    try (OAuthBearerValidator overFile = OAuthBearerValidator.start(settings(jwksFile, "client_id"))) {
      assertTrue(System.getProperty(OAuthBearerValidator.ALLOWED_URLS_PROPERTY).contains(jwksFile));
      JwtClaims claims = TestIdentityProvider.claims("ignored-subject", Duration.ofMinutes(5));
      claims.setStringClaim("client_id", "payments-service");
      SaslServer server = server(overFile);
      server.evaluateResponse(initialResponse(idp.signed(claims)));
      assertTrue(server.isComplete());
      assertEquals("payments-service", server.getAuthorizationID());
    }
  }

  @Test
  void tokensThatFailValidationAreRefusedAndNeverLogged() throws Exception {
    Map<String, String> refused = new LinkedHashMap<>();
    JwtClaims wrongAudience = TestIdentityProvider.claims("mallory", Duration.ofMinutes(5));
    wrongAudience.setAudience("another-service");
    refused.put("wrong audience", idp.signed(wrongAudience));
    JwtClaims wrongIssuer = TestIdentityProvider.claims("mallory", Duration.ofMinutes(5));
    wrongIssuer.setIssuer("https://elsewhere.test");
    refused.put("wrong issuer", idp.signed(wrongIssuer));
    JwtClaims expired = TestIdentityProvider.claims("mallory", Duration.ofMinutes(5));
    expired.setIssuedAt(NumericDate.fromMilliseconds(System.currentTimeMillis() - 120_000));
    expired.setExpirationTime(NumericDate.fromMilliseconds(System.currentTimeMillis() - 60_000));
    refused.put("expired", idp.signed(expired));
    JwtClaims valid = TestIdentityProvider.claims("mallory", Duration.ofMinutes(5));
    refused.put("bad signature", idp.signedByStranger(valid, TestIdentityProvider.KEY_ID));
    refused.put("unknown key id", idp.signedByStranger(valid, "unknown-key"));
    refused.put("unsigned", unsigned(valid));
    for (Map.Entry<String, String> token : refused.entrySet()) {
      SaslServer server = server(overHttp);
      byte[] error = server.evaluateResponse(initialResponse(token.getValue()));
      assertFalse(server.isComplete(), token.getKey());
      assertEquals("{\"status\":\"invalid_token\"}", new String(error, StandardCharsets.UTF_8), token.getKey());
      // The client acknowledges the error with 0x01 (RFC 7628); then the server fails the exchange.
      assertThrows(SaslAuthenticationException.class, () -> server.evaluateResponse(new byte[] {1}), token.getKey());
    }
    List<String> logged = refusals.messages();
    assertEquals(refused.size(), logged.stream().filter(line -> line.startsWith("OAUTHBEARER token refused: ")).count(), logged.toString());
    for (String token : refused.values()) {
      String signature = token.substring(token.lastIndexOf('.') + 1);
      for (String line : logged) {
        assertFalse(line.contains(token) || !signature.isEmpty() && line.contains(signature), line);
      }
    }
  }

  /** The same claims with "alg":"none", which Kafka's client-side validator would take. */
  private static String unsigned(JwtClaims claims) throws Exception {
    JsonWebSignature jws = new JsonWebSignature();
    jws.setPayload(claims.toJson());
    jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.NONE);
    jws.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
    return jws.getCompactSerialization();
  }

  @Test
  void aJwksThatCannotBeReadStopsStartUp() {
    IllegalStateException unreachable = assertThrows(IllegalStateException.class,
        () -> OAuthBearerValidator.start(settings("http://127.0.0.1:1/jwks", "sub")));
    assertTrue(unreachable.getMessage().contains("vltava.sasl.oauthbearer.jwks.endpoint.url"), unreachable.getMessage());
    assertThrows(IllegalStateException.class,
        () -> OAuthBearerValidator.start(settings(dir.resolve("missing.json").toUri().toString(), "sub")));
  }

  @Test
  void redactionRemovesTheTokenAndItsSignature() {
    assertEquals("bad: <token>", OAuthBearerValidator.redact("bad: aaa.bbb.ccc", "aaa.bbb.ccc"));
    assertEquals("JWS{...}-><token>", OAuthBearerValidator.redact("JWS{...}->aaa.bbb.ccc", "aaa.bbb.ccc"));
    assertEquals("sig <token>", OAuthBearerValidator.redact("sig ccc", "aaa.bbb.ccc"));
    assertEquals("(no reason given)", OAuthBearerValidator.redact(null, "aaa.bbb.ccc"));
  }
}
