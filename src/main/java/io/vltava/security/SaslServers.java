package io.vltava.security;

import io.vltava.metadata.ScramCredentials;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.sasl.SaslServer;
import org.apache.kafka.common.security.oauthbearer.internals.OAuthBearerSaslServer;
import org.apache.kafka.common.security.plain.PlainAuthenticateCallback;
import org.apache.kafka.common.security.plain.internals.PlainSaslServer;
import org.apache.kafka.common.security.scram.ScramCredentialCallback;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramSaslServer;

/**
 * Makes the server side of each enabled SASL mechanism with kafka-clients' own implementations
 * (PlainSaslServer, ScramSaslServer, OAuthBearerSaslServer); this class only answers their
 * callbacks: PLAIN's password compared in constant time with the configured one, SCRAM's stored
 * credential looked up in the cluster's metadata, OAUTHBEARER's token checked by the node's
 * {@link OAuthBearerValidator}. Thread-safe; each connection gets its own SaslServer.
 */
public final class SaslServers {

  private final SaslSettings settings;
  private final Supplier<ScramCredentials> scramCredentials;
  private final Optional<OAuthBearerValidator> oauthBearer;

  /** {@code oauthBearer} is required when OAUTHBEARER is enabled. */
  public SaslServers(SaslSettings settings, Supplier<ScramCredentials> scramCredentials, Optional<OAuthBearerValidator> oauthBearer) {
    if (settings.enabledMechanisms().contains(SaslSettings.OAUTHBEARER) && oauthBearer.isEmpty()) {
      throw new IllegalArgumentException("OAUTHBEARER is enabled without a token validator");
    }
    this.settings = settings;
    this.scramCredentials = scramCredentials;
    this.oauthBearer = oauthBearer;
  }

  public java.util.List<String> enabledMechanisms() {
    return settings.enabledMechanisms();
  }

  public int maxReceiveBytes() {
    return settings.maxReceiveBytes();
  }

  /** A fresh server for {@code mechanism}, or empty when it is not enabled. */
  public Optional<SaslServer> create(String mechanism) {
    if (!settings.enabledMechanisms().contains(mechanism)) {
      return Optional.empty();
    }
    if (mechanism.equals(SaslSettings.PLAIN)) {
      return Optional.of(new PlainSaslServer(this::answerPlain));
    }
    if (mechanism.equals(SaslSettings.OAUTHBEARER)) {
      return Optional.of(new OAuthBearerSaslServer(oauthBearer.orElseThrow()));
    }
    try {
      return Optional.of(new ScramSaslServer(ScramMechanism.forMechanismName(mechanism), Map.of(), scramCallbacks(mechanism)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks " + mechanism + "'s hash", e);
    }
  }

  private void answerPlain(Callback[] callbacks) throws UnsupportedCallbackException {
    String user = null;
    for (Callback callback : callbacks) {
      if (callback instanceof NameCallback name) {
        user = name.getDefaultName();
      } else if (callback instanceof PlainAuthenticateCallback authenticate) {
        authenticate.authenticated(user != null && matches(settings.plainUsers().get(user), authenticate.password()));
      } else {
        throw new UnsupportedCallbackException(callback);
      }
    }
  }

  /** Constant time whatever the password, and also when the user is unknown. */
  private static boolean matches(byte[] expected, char[] given) {
    byte[] givenBytes = new String(given).getBytes(StandardCharsets.UTF_8);
    boolean equal = MessageDigest.isEqual(expected == null ? new byte[givenBytes.length] : expected, givenBytes);
    return expected != null && equal;
  }

  private CallbackHandler scramCallbacks(String mechanism) {
    return callbacks -> {
      String user = null;
      for (Callback callback : callbacks) {
        if (callback instanceof NameCallback name) {
          user = name.getDefaultName();
        } else if (callback instanceof ScramCredentialCallback credential && user != null) {
          scramCredentials.get().credential(user, mechanism)
              .ifPresent(stored -> credential.scramCredential(ScramCredentialFormat.toKafka(stored)));
        } else {
          // Delegation tokens (the tokenauth extension) do not exist here.
          throw new UnsupportedCallbackException(callback);
        }
      }
    };
  }
}
