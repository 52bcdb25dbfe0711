package io.vltava.kafka;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * How long an authenticated SASL session lasts (KIP-368), as Kafka's SaslServerAuthenticator
 * decides: at most {@code connections.max.reauth.ms} (when set) and never past the expiry of the
 * credential the client authenticated with (an OAUTHBEARER token's "exp"), whichever ends first.
 * Empty = the session does not end.
 */
final class SessionLifetime {

  private SessionLifetime() {}

  /** {@code credentialExpiryMs} is epoch millis or null for a credential that does not expire. */
  static OptionalLong ms(Duration connectionsMaxReauth, Long credentialExpiryMs, long nowMs) {
    long maxReauthMs = connectionsMaxReauth.toMillis();
    if (credentialExpiryMs == null) {
      return maxReauthMs > 0 ? OptionalLong.of(maxReauthMs) : OptionalLong.empty();
    }
    // A token that expired within the validator's clock skew gets a session that has already ended.
    long untilExpiryMs = Math.max(0, credentialExpiryMs - nowMs);
    return OptionalLong.of(maxReauthMs > 0 ? Math.min(maxReauthMs, untilExpiryMs) : untilExpiryMs);
  }
}
