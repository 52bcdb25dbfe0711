package io.vltava.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** A session lasts connections.max.reauth.ms at most, and never past its credential's expiry. */
class SessionLifetimeTest {

  private static final long NOW_MS = 1_800_000_000_000L;

  @Test
  void withoutAnExpiringCredentialTheSettingAloneDecides() {
    assertEquals(OptionalLong.empty(), SessionLifetime.ms(Duration.ZERO, null, NOW_MS));
    assertEquals(OptionalLong.of(60_000), SessionLifetime.ms(Duration.ofMinutes(1), null, NOW_MS));
  }

  @Test
  void aTokenEndsTheSessionAtItsExpiryEvenWithoutTheSetting() {
    assertEquals(OptionalLong.of(5_000), SessionLifetime.ms(Duration.ZERO, NOW_MS + 5_000, NOW_MS));
    assertEquals(OptionalLong.of(5_000), SessionLifetime.ms(Duration.ofMinutes(1), NOW_MS + 5_000, NOW_MS));
    assertEquals(OptionalLong.of(60_000), SessionLifetime.ms(Duration.ofMinutes(1), NOW_MS + 3_600_000, NOW_MS));
  }

  @Test
  void aTokenPastItsExpiryGetsASessionThatHasAlreadyEnded() {
    assertEquals(OptionalLong.of(0), SessionLifetime.ms(Duration.ofMinutes(1), NOW_MS - 1_000, NOW_MS));
  }
}
