package io.vltava.security;

import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.auth.SaslExtensionsCallback;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerTokenCallback;
import org.apache.kafka.common.security.oauthbearer.internals.secured.BasicOAuthBearerToken;

/**
 * A kafka-clients login callback handler that hands over the JWT given as the JAAS option
 * {@code token}, whatever it holds: how a test makes a real client present a token the node must
 * refuse (Kafka's own login handler would check the token it fetched first). The client is told the
 * token lasts an hour, so it does not try to refresh it.
 */
public final class StaticTokenLogin implements AuthenticateCallbackHandler {

  private String token;

  /** sasl.jaas.config for a client presenting {@code token}. */
  public static String jaasConfig(String token) {
    return "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required token=\"" + token + "\";";
  }

  @Override
  public void configure(Map<String, ?> configs, String saslMechanism, List<AppConfigurationEntry> jaasConfigEntries) {
    token = (String) jaasConfigEntries.get(0).getOptions().get("token");
  }

  @Override
  public void handle(Callback[] callbacks) throws UnsupportedCallbackException {
    for (Callback callback : callbacks) {
      if (callback instanceof OAuthBearerTokenCallback tokenCallback) {
        long nowMs = System.currentTimeMillis();
        tokenCallback.token(new BasicOAuthBearerToken(token, Set.of(), nowMs + 3_600_000, "static", nowMs));
      } else if (!(callback instanceof SaslExtensionsCallback)) {
        throw new UnsupportedCallbackException(callback);
      }
    }
  }

  @Override
  public void close() {}
}
