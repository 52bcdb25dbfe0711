package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.security.TestIdentityProvider;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.sasl.SaslClient;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeResponse;
import org.apache.kafka.common.security.auth.SaslExtensions;
import org.apache.kafka.common.security.oauthbearer.internals.OAuthBearerClientInitialResponse;
import org.apache.kafka.common.security.scram.ScramExtensionsCallback;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramSaslClient;

/** The SASL listener and users the conformance node has, and SASL exchanges as a client runs them. */
final class SaslCases {
  private SaslCases() {}

  static final String LISTENER = "SASL_PLAINTEXT";
  static final List<String> OFFERED = List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER");
  /** Signs the OAUTHBEARER tokens; the node validates them against its JWKS. Started by ConformanceTest. */
  static TestIdentityProvider identityProvider;
  static final String PLAIN_USER = "conformance-plain";
  static final String PLAIN_PASSWORD = "plain-secret";
  static final String SCRAM_USER = "conformance";
  static final String SCRAM_PASSWORD = "scram-secret";

  static SaslHandshakeResponse handshake(ConformanceBroker.Connection connection, String mechanism) throws Exception {
    return connection.send(new SaslHandshakeRequestData().setMechanism(mechanism), (short) 1);
  }

  /** The client's first OAUTHBEARER message (RFC 7628) carrying {@code token}, as kafka-clients sends it. */
  static byte[] oauthBearerToken(String token) throws Exception {
    return new OAuthBearerClientInitialResponse(token, SaslExtensions.empty()).toBytes();
  }

  static byte[] plainToken(String user, String password) {
    return ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8);
  }

  /** Runs a SCRAM exchange with kafka-clients' client at SaslAuthenticate {@code version}; returns the last response. */
  static SaslAuthenticateResponse scram(ConformanceBroker.Connection connection, ScramMechanism mechanism, String user,
      String password, short version) throws Exception {
    SaslHandshakeResponse handshake = handshake(connection, mechanism.mechanismName());
    assertEquals(Errors.NONE.code(), handshake.data().errorCode());
    SaslClient client = client(mechanism, user, password);
    byte[] token = client.evaluateChallenge(new byte[0]);
    SaslAuthenticateResponse response;
    do {
      response = connection.send(new SaslAuthenticateRequestData().setAuthBytes(token), version);
      if (response.data().errorCode() != Errors.NONE.code()) {
        return response;
      }
      token = client.evaluateChallenge(response.data().authBytes());
    } while (!client.isComplete());
    assertTrue(client.isComplete(), "the client verified the server's signature");
    return response;
  }

  private static SaslClient client(ScramMechanism mechanism, String user, String password) throws NoSuchAlgorithmException {
    return new ScramSaslClient(mechanism, callbacks -> {
      for (Callback callback : callbacks) {
        if (callback instanceof NameCallback name) {
          name.setName(user);
        } else if (callback instanceof PasswordCallback secret) {
          secret.setPassword(password.toCharArray());
        } else if (!(callback instanceof ScramExtensionsCallback)) {
          throw new UnsupportedCallbackException(callback);
        }
      }
    });
  }

}
