package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.security.TestIdentityProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.jose4j.jwt.JwtClaims;

/**
 * SaslAuthenticate: PLAIN against the configured users and SCRAM against the credentials in the
 * cluster metadata succeed and open the connection to every API; a wrong password is answered
 * SASL_AUTHENTICATION_FAILED and the connection closes; authenticating before the handshake, or on
 * a plaintext listener, is ILLEGAL_SASL_STATE. Sessions do not expire (connections.max.reauth.ms 0),
 * so the session lifetime is 0, except OAUTHBEARER's: from v1 it is the time until the token
 * expires. A refused token is answered with an RFC 7628 error challenge, and the client's
 * acknowledgement with SASL_AUTHENTICATION_FAILED.
 */
final class SaslAuthenticateCase implements ApiCase {

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.SASL_AUTHENTICATE;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    try (ConformanceBroker.Connection sasl = broker.connect(SaslCases.LISTENER)) {
      assertEquals(Errors.NONE.code(), SaslCases.handshake(sasl, "PLAIN").data().errorCode());
      SaslAuthenticateResponse plain = sasl.send(new SaslAuthenticateRequestData()
          .setAuthBytes(SaslCases.plainToken(SaslCases.PLAIN_USER, SaslCases.PLAIN_PASSWORD)), version);
      assertEquals(Errors.NONE.code(), plain.data().errorCode());
      assertArrayEquals(new byte[0], plain.data().authBytes());
      assertEquals(0, plain.data().sessionLifetimeMs());
      assertAuthenticated(broker, sasl);
    }
    try (ConformanceBroker.Connection sasl = broker.connect(SaslCases.LISTENER)) {
      SaslAuthenticateResponse scram = SaslCases.scram(sasl, ScramMechanism.SCRAM_SHA_256, SaslCases.SCRAM_USER,
          SaslCases.SCRAM_PASSWORD, version);
      assertEquals(Errors.NONE.code(), scram.data().errorCode());
      assertAuthenticated(broker, sasl);
    }
    try (ConformanceBroker.Connection sasl = broker.connect(SaslCases.LISTENER)) {
      assertEquals(Errors.NONE.code(), SaslCases.handshake(sasl, "OAUTHBEARER").data().errorCode());
      long expiresMs = System.currentTimeMillis() + Duration.ofMinutes(5).toMillis();
      SaslAuthenticateResponse oauth = sasl.send(new SaslAuthenticateRequestData().setAuthBytes(
          SaslCases.oauthBearerToken(SaslCases.identityProvider.token("conformance-oauth", Duration.ofMinutes(5)))), version);
      assertEquals(Errors.NONE.code(), oauth.data().errorCode());
      if (version >= 1) {
        long lifetimeMs = oauth.data().sessionLifetimeMs();
        assertTrue(lifetimeMs > 0 && lifetimeMs <= expiresMs - System.currentTimeMillis() + 1_000, "until the token expires: " + lifetimeMs);
      }
      assertAuthenticated(broker, sasl);
    }
    try (ConformanceBroker.Connection sasl = broker.connect(SaslCases.LISTENER)) {
      assertEquals(Errors.NONE.code(), SaslCases.handshake(sasl, "OAUTHBEARER").data().errorCode());
      JwtClaims otherAudience = TestIdentityProvider.claims("conformance-oauth", Duration.ofMinutes(5));
      otherAudience.setAudience("another-service");
      SaslAuthenticateResponse challenge = sasl.send(new SaslAuthenticateRequestData().setAuthBytes(
          SaslCases.oauthBearerToken(SaslCases.identityProvider.signed(otherAudience))), version);
      assertEquals(Errors.NONE.code(), challenge.data().errorCode());
      assertEquals("{\"status\":\"invalid_token\"}", new String(challenge.data().authBytes(), StandardCharsets.UTF_8));
      SaslAuthenticateResponse refused = sasl.send(new SaslAuthenticateRequestData().setAuthBytes(new byte[] {1}), version);
      assertEquals(Errors.SASL_AUTHENTICATION_FAILED.code(), refused.data().errorCode());
      assertTrue(refused.data().errorMessage().contains("invalid_token"), refused.data().errorMessage());
      assertTrue(sasl.closedByPeer(), "the connection closes after a refused token");
    }
    try (ConformanceBroker.Connection sasl = broker.connect(SaslCases.LISTENER)) {
      SaslAuthenticateResponse wrong = SaslCases.scram(sasl, ScramMechanism.SCRAM_SHA_256, SaslCases.SCRAM_USER, "guess", version);
      assertEquals(Errors.SASL_AUTHENTICATION_FAILED.code(), wrong.data().errorCode());
      assertTrue(wrong.data().errorMessage().contains("invalid credentials"), wrong.data().errorMessage());
      assertTrue(sasl.closedByPeer(), "the connection closes after a failed authentication");
    }
    try (ConformanceBroker.Connection sasl = broker.connect(SaslCases.LISTENER)) {
      assertEquals(Errors.NONE.code(), SaslCases.handshake(sasl, "PLAIN").data().errorCode());
      SaslAuthenticateResponse wrong = sasl.send(new SaslAuthenticateRequestData()
          .setAuthBytes(SaslCases.plainToken(SaslCases.PLAIN_USER, "guess")), version);
      assertEquals(Errors.SASL_AUTHENTICATION_FAILED.code(), wrong.data().errorCode());
      assertEquals("Authentication failed: Invalid username or password", wrong.data().errorMessage());
      assertTrue(sasl.closedByPeer(), "the connection closes after a failed authentication");
    }
    try (ConformanceBroker.Connection sasl = broker.connect(SaslCases.LISTENER)) {
      SaslAuthenticateResponse early = sasl.send(new SaslAuthenticateRequestData()
          .setAuthBytes(SaslCases.plainToken(SaslCases.PLAIN_USER, SaslCases.PLAIN_PASSWORD)), version);
      assertEquals(Errors.ILLEGAL_SASL_STATE.code(), early.data().errorCode());
      assertTrue(sasl.closedByPeer(), "authenticating before the handshake closes the connection");
    }
    SaslAuthenticateResponse plaintext = broker.send(new SaslAuthenticateRequestData().setAuthBytes(new byte[] {1}), version);
    assertEquals(Errors.ILLEGAL_SASL_STATE.code(), plaintext.data().errorCode());
  }

  /** Metadata is served, naming the broker by its endpoint on the SASL listener. */
  private static void assertAuthenticated(ConformanceBroker broker, ConformanceBroker.Connection sasl) throws Exception {
    MetadataResponse metadata = sasl.send(new MetadataRequestData().setTopics(null), (short) 12);
    assertEquals(1, metadata.data().brokers().size());
    assertEquals(broker.node().kafkaAddress(SaslCases.LISTENER).getPort(), metadata.data().brokers().iterator().next().port());
  }
}
