package io.vltava.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.metadata.BrokerConfigs;
import org.junit.jupiter.api.Test;

class ReplicationQuotaTest {

  @Test
  void unlimitedNeverThrottles() {
    ReplicationQuota quota = new ReplicationQuota();
    quota.record(1L << 40, 0);
    assertFalse(quota.exceeded(0));
    assertEquals(1 << 20, quota.maxFetchBytes(1 << 20));
  }

  @Test
  void aSpentBudgetRefillsAtTheRate() {
    ReplicationQuota quota = new ReplicationQuota();
    quota.rate(1000);
    assertFalse(quota.exceeded(0));
    quota.record(1500, 0); // one fetch may overdraw: 500 bytes of debt
    assertTrue(quota.exceeded(400));
    assertFalse(quota.exceeded(600));
    assertEquals(1000, quota.maxFetchBytes(1 << 20));
  }

  @Test
  void overAnyPeriodTheBytesAdmittedStayWithinTheRatePlusOneSecondAndOneFetch() {
    ReplicationQuota quota = new ReplicationQuota();
    long rate = 10_000;
    int fetchBytes = 4096;
    quota.rate(rate);
    long admitted = 0;
    for (long nowMs = 0; nowMs < 10_000; nowMs += 5) {
      if (!quota.exceeded(nowMs)) {
        quota.record(fetchBytes, nowMs);
        admitted += fetchBytes;
      }
    }
    assertTrue(admitted <= rate * 10 + rate + fetchBytes, "admitted " + admitted);
    assertTrue(admitted >= rate * 9, "and not far below the rate: " + admitted);
  }

  @Test
  void removingTheLimitEndsTheThrottle() {
    ReplicationQuota quota = new ReplicationQuota();
    quota.rate(100);
    quota.record(10_000, 0);
    assertTrue(quota.exceeded(10));
    quota.rate(BrokerConfigs.UNLIMITED);
    assertFalse(quota.exceeded(20));
  }
}
