package io.vltava.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class IoThrottleTest {
  @Test
  void sleepsSoThatTheRateIsMet() throws Exception {
    AtomicLong nanos = new AtomicLong();
    AtomicLong slept = new AtomicLong();
    IoThrottle throttle = new IoThrottle(1_000_000, nanos::get, n -> {
      slept.addAndGet(n);
      nanos.addAndGet(n);
    });
    // 10 MB at 1 MB/s must take 10 s of (simulated) time, whatever the chunking.
    for (int i = 0; i < 100; i++) {
      throttle.acquire(100_000);
      nanos.addAndGet(1_000_000); // 1 ms of work per chunk
    }
    long totalNanos = nanos.get();
    assertTrue(totalNanos >= 9_700_000_000L && totalNanos <= 10_300_000_000L, "took " + totalNanos + " ns");
    assertTrue(slept.get() > 9_000_000_000L);
  }

  @Test
  void theDefaultIsUnlimited() throws Exception {
    AtomicLong slept = new AtomicLong();
    IoThrottle throttle = new IoThrottle(Double.MAX_VALUE, () -> 0, slept::addAndGet);
    throttle.acquire(Long.MAX_VALUE / 2);
    assertEquals(0, slept.get());
  }

  @Test
  void aNewRateAppliesToLaterIo() throws Exception {
    AtomicLong nanos = new AtomicLong();
    IoThrottle throttle = new IoThrottle(Double.MAX_VALUE, nanos::get, nanos::addAndGet);
    throttle.acquire(10_000_000);
    assertEquals(0, nanos.get(), "unlimited at first");
    throttle.rate(1_000_000);
    for (int i = 0; i < 20; i++) {
      throttle.acquire(100_000);
    }
    assertTrue(nanos.get() >= 1_700_000_000L && nanos.get() <= 2_100_000_000L, "2 MB at 1 MB/s, within a 300 ms window, took " + nanos.get() + " ns");
  }
}
