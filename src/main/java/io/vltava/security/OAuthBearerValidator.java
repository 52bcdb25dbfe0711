package io.vltava.security;

import java.io.File;
import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.oauthbearer.DefaultJwtValidator;
import org.apache.kafka.common.security.oauthbearer.JwtValidator;
import org.apache.kafka.common.security.oauthbearer.JwtValidatorException;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerExtensionsValidatorCallback;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallback;
import org.apache.kafka.common.security.oauthbearer.internals.secured.CloseableVerificationKeyResolver;
import org.apache.kafka.common.security.oauthbearer.internals.secured.VerificationKeyResolverFactory;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates OAUTHBEARER tokens for kafka-clients' OAuthBearerSaslServer with Kafka's own broker
 * validator (BrokerJwtValidator: signature by a key of the configured JWKS, exp, iat, nbf, aud, iss,
 * subject and scope claims), over Kafka's JWKS resolvers (fetched and refreshed, or a file). It
 * stands in for Kafka's OAuthBearerValidatorCallbackHandler only to log why a token is refused
 * without the token: jose4j's reasons can quote it whole. Extensions are ignored, as nothing reads them.
 *
 * <p>One per node, shared by all connections: jose4j's consumer and Kafka's resolvers are thread-safe.
 * {@link #close()} stops the JWKS refresh.
 */
public final class OAuthBearerValidator implements AuthenticateCallbackHandler, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OAuthBearerValidator.class);
  /** Kafka 4 fetches no URL and reads no file that these JVM-wide lists do not name. */
  static final String ALLOWED_URLS_PROPERTY = "org.apache.kafka.sasl.oauthbearer.allowed.urls";
  static final String ALLOWED_FILES_PROPERTY = "org.apache.kafka.sasl.oauthbearer.allowed.files";
  private static final String REDACTED = "<token>";

  private final CloseableVerificationKeyResolver keys;
  private final JwtValidator validator;

  private OAuthBearerValidator(CloseableVerificationKeyResolver keys, JwtValidator validator) {
    this.keys = keys;
    this.validator = validator;
  }

  /**
   * Reads the JWKS (a fetch for an http(s) endpoint) and builds the validator; a JWKS that cannot be
   * read stops start-up, as in Kafka. The JWKS URL (or file) is added to Kafka's allowed lists.
   */
  public static OAuthBearerValidator start(OAuthBearerSettings settings) {
    if (settings.jwksEndpointUrl().isEmpty()) {
      throw new IllegalArgumentException("OAUTHBEARER needs a JWKS to verify tokens (vltava.sasl.oauthbearer.jwks.endpoint.url)");
    }
    allow(ALLOWED_URLS_PROPERTY, settings.jwksEndpointUrl());
    if (settings.jwksIsFile()) {
      allow(ALLOWED_FILES_PROPERTY, new File(URI.create(settings.jwksEndpointUrl()).getRawPath()).getAbsolutePath());
    }
    Map<String, ?> configs = settings.kafkaConfigs();
    List<AppConfigurationEntry> jaas = List.of(new AppConfigurationEntry(
        OAuthBearerLoginModule.class.getName(), AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, Map.of()));
    CloseableVerificationKeyResolver keys;
    try {
      keys = VerificationKeyResolverFactory.get(configs, SaslSettings.OAUTHBEARER, jaas);
    } catch (KafkaException e) {
      throw new IllegalStateException("Cannot read the OAUTHBEARER JWKS at " + settings.jwksEndpointUrl()
          + " (vltava.sasl.oauthbearer.jwks.endpoint.url): " + e.getMessage(), e);
    }
    try {
      // Given a key resolver, Kafka's default validator is always its verifying BrokerJwtValidator.
      JwtValidator validator = new DefaultJwtValidator(keys);
      validator.configure(configs, SaslSettings.OAUTHBEARER, jaas);
      return new OAuthBearerValidator(keys, validator);
    } catch (RuntimeException e) {
      Utils.closeQuietly(keys, "JWKS key resolver");
      throw e;
    }
  }

  /** Adds {@code entry} to a comma-separated JVM-wide list, keeping what others (another node, the clients) put there. */
  static synchronized void allow(String property, String entry) {
    Set<String> allowed = Arrays.stream(System.getProperty(property, "").split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toCollection(LinkedHashSet::new));
    if (allowed.add(entry)) {
      System.setProperty(property, String.join(",", allowed));
    }
  }

  @Override
  public void configure(Map<String, ?> configs, String saslMechanism, List<AppConfigurationEntry> jaasConfigEntries) {
    // Configured once in start(), not per server.
  }

  @Override
  public void handle(Callback[] callbacks) throws UnsupportedCallbackException {
    for (Callback callback : callbacks) {
      if (callback instanceof OAuthBearerValidatorCallback validation) {
        validate(validation);
      } else if (!(callback instanceof OAuthBearerExtensionsValidatorCallback)) {
        throw new UnsupportedCallbackException(callback);
      }
    }
  }

  private void validate(OAuthBearerValidatorCallback callback) {
    String token = callback.tokenValue();
    try {
      callback.token(validator.validate(token));
    } catch (JwtValidatorException e) {
      log.info("OAUTHBEARER token refused: {}", redact(e.getMessage(), token));
      callback.error("invalid_token", null, null);
    }
  }

  /** The reason without the token, which jose4j's messages may quote (for a bad signature, the whole JWS). */
  static String redact(String reason, String token) {
    if (reason == null) {
      return "(no reason given)";
    }
    String redacted = token.isEmpty() ? reason : reason.replace(token, REDACTED);
    int signature = token.lastIndexOf('.');
    // Header and payload without the signature are no credential, but the signature alone is not logged either.
    return signature > 0 && signature < token.length() - 1 ? redacted.replace(token.substring(signature + 1), REDACTED) : redacted;
  }

  @Override
  public void close() {
    Utils.closeQuietly(validator, "JWT validator");
    Utils.closeQuietly(keys, "JWKS key resolver");
  }
}
