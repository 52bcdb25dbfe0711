package io.vltava.security;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.SaslConfigs;

/**
 * How OAUTHBEARER tokens are validated ({@code vltava.sasl.oauthbearer}), with the names of Kafka's
 * broker settings {@code sasl.oauthbearer.*}: the JWKS that signs them, the audience and issuer they
 * must name, and the claims that carry the principal and the scopes. Without a JWKS there is no
 * validation at all, so OAUTHBEARER is refused at start-up then (Kafka's other validator accepts
 * unsigned tokens).
 */
public record OAuthBearerSettings(
    String jwksEndpointUrl, long jwksRefreshMs, long jwksRetryBackoffMs, long jwksRetryBackoffMaxMs,
    List<String> expectedAudience, String expectedIssuer, String subClaimName, String scopeClaimName, int clockSkewSeconds) {

  private static final String PATH = "vltava.sasl.oauthbearer.";
  private static final Set<String> JWKS_SCHEMES = Set.of("https", "http", "file");

  public OAuthBearerSettings {
    expectedAudience = List.copyOf(expectedAudience);
  }

  /** Reads the settings; {@code enabled} = OAUTHBEARER is among the mechanisms, and then a JWKS is required. */
  static OAuthBearerSettings fromConfig(Config oauth, boolean enabled) {
    String jwks = oauth.getString("jwks.endpoint.url").trim();
    if (enabled && jwks.isEmpty()) {
      throw new ConfigException.BadValue(PATH + "jwks.endpoint.url",
          "OAUTHBEARER is enabled but no JWKS is configured to verify token signatures; set it to the identity"
              + " provider's JWKS endpoint (https://...) or a JWKS file (file:/...), or remove OAUTHBEARER from"
              + " vltava.sasl.enabled.mechanisms");
    }
    if (!jwks.isEmpty()) {
      checkJwksUrl(jwks);
    }
    OAuthBearerSettings settings = new OAuthBearerSettings(jwks,
        oauth.getLong("jwks.endpoint.refresh.ms"), oauth.getLong("jwks.endpoint.retry.backoff.ms"),
        oauth.getLong("jwks.endpoint.retry.backoff.max.ms"), oauth.getStringList("expected.audience"),
        oauth.getString("expected.issuer").trim(), oauth.getString("sub.claim.name").trim(),
        oauth.getString("scope.claim.name").trim(), oauth.getInt("clock.skew.seconds"));
    if (enabled) {
      if (settings.subClaimName().isEmpty() || settings.scopeClaimName().isEmpty()) {
        throw new ConfigException.BadValue(PATH + "sub.claim.name", "sub.claim.name and scope.claim.name must name a claim");
      }
      // Kafka's own type checks, reported under Vltava's names.
      try {
        settings.kafkaConfigs();
      } catch (org.apache.kafka.common.config.ConfigException e) {
        throw new ConfigException.BadValue(PATH.substring(0, PATH.length() - 1), e.getMessage());
      }
    }
    return settings;
  }

  private static void checkJwksUrl(String jwks) {
    try {
      URI uri = new URI(jwks);
      if (uri.getScheme() == null || !JWKS_SCHEMES.contains(uri.getScheme().toLowerCase(java.util.Locale.ROOT))) {
        throw new ConfigException.BadValue(PATH + "jwks.endpoint.url", jwks + " is not an https:, http: or file: URL");
      }
    } catch (URISyntaxException e) {
      throw new ConfigException.BadValue(PATH + "jwks.endpoint.url", jwks + " is not a URL: " + e.getReason());
    }
  }

  /** Whether the JWKS is a local file rather than an HTTP endpoint (which is fetched and refreshed). */
  boolean jwksIsFile() {
    return jwksEndpointUrl.regionMatches(true, 0, "file:", 0, 5);
  }

  /**
   * The settings as kafka-clients' OAuthBearerValidatorCallbackHandler and BrokerJwtValidator read
   * them: parsed by Kafka's own definitions, so every other {@code sasl.*} setting has Kafka's
   * default, and the validator is always Kafka's default (the JWKS-verifying one, as a JWKS is set).
   */
  Map<String, ?> kafkaConfigs() {
    Map<String, Object> values = new HashMap<>();
    values.put(SaslConfigs.SASL_OAUTHBEARER_JWKS_ENDPOINT_URL, jwksEndpointUrl);
    values.put(SaslConfigs.SASL_OAUTHBEARER_JWKS_ENDPOINT_REFRESH_MS, jwksRefreshMs);
    values.put(SaslConfigs.SASL_OAUTHBEARER_JWKS_ENDPOINT_RETRY_BACKOFF_MS, jwksRetryBackoffMs);
    values.put(SaslConfigs.SASL_OAUTHBEARER_JWKS_ENDPOINT_RETRY_BACKOFF_MAX_MS, jwksRetryBackoffMaxMs);
    values.put(SaslConfigs.SASL_OAUTHBEARER_EXPECTED_AUDIENCE, expectedAudience);
    if (!expectedIssuer.isEmpty()) {
      values.put(SaslConfigs.SASL_OAUTHBEARER_EXPECTED_ISSUER, expectedIssuer);
    }
    values.put(SaslConfigs.SASL_OAUTHBEARER_SUB_CLAIM_NAME, subClaimName);
    values.put(SaslConfigs.SASL_OAUTHBEARER_SCOPE_CLAIM_NAME, scopeClaimName);
    values.put(SaslConfigs.SASL_OAUTHBEARER_CLOCK_SKEW_SECONDS, clockSkewSeconds);
    return new ConfigDef().withClientSaslSupport().parse(values);
  }
}
