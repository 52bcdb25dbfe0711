package io.vltava.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vltava.metadata.ClientQuota;
import io.vltava.metadata.ClientQuotas;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.junit.jupiter.api.Test;

/** The windowed rate and throttle time, Kafka's quota precedence, and how quota changes apply. */
class ClientQuotasTest {
  private static final String D = ClientQuota.DEFAULT;
  private static final String P = ClientQuotas.PRODUCER_BYTE_RATE;

  @Test
  void aFreshRateCountsAtLeastTheWindowLessOneSample() {
    WindowedRate rate = new WindowedRate(11, 1000);
    rate.record(10_000, 0);
    // One burst on a new sensor: spread over 10 s, not over the milliseconds since it started.
    assertEquals(1000.0, rate.ratePerSecond(0), 0.001);
    assertEquals(1000.0, rate.ratePerSecond(500), 0.001);
  }

  @Test
  void theRateIsTheSumOverTheTimeTheLiveSamplesSpan() {
    WindowedRate rate = new WindowedRate(3, 1000);
    for (long t = 0; t < 5000; t += 100) {
      rate.record(100, t); // 1000 per second, steadily
    }
    assertEquals(1000.0, rate.ratePerSecond(4999), 60.0);
    // Samples older than the whole window are forgotten.
    assertEquals(0.0, rate.ratePerSecond(20_000), 0.001);
  }

  @Test
  void throttleTimeIsTheExcessShareOfTheQuotaTimesTheWindow() {
    WindowedRate rate = new WindowedRate(11, 1000);
    rate.record(20_000, 0); // 2000/s over the 10 s minimum window
    assertEquals(0, rate.throttleMs(2000, 0));
    // (2000 - 1000) / 1000 * 10 s
    assertEquals(10_000, rate.throttleMs(1000, 0));
    // (2000 - 1600) / 1600 * 10 s
    assertEquals(2500, rate.throttleMs(1600, 0));
    rate.record(1_000_000, 1);
    assertEquals(11_000, rate.throttleMs(1, 1), "never more than the whole window");
  }

  @Test
  void precedenceFromUserAndClientToDefaultClient() {
    List<ClientQuota> quotas = List.of(
        quota(null, D, 8), quota(null, "app", 7), quota(D, null, 6), quota(D, D, 5),
        quota(D, "app", 4), quota("alice", null, 3), quota("alice", D, 2), quota("alice", "app", 1));
    assertEquals(1, limit(quotas, "alice", "app"));
    assertEquals(2, limit(quotas, "alice", "other"));
    assertEquals(4, limit(quotas, "bob", "app"));
    assertEquals(5, limit(quotas, "bob", "other"));
    assertEquals(3, limit(quotas.subList(0, 6), "alice", "app"));
    assertEquals(6, limit(quotas.subList(0, 3), "bob", "app"));
    assertEquals(7, limit(quotas.subList(0, 2), "bob", "app"));
    assertEquals(8, limit(quotas.subList(0, 2), "bob", "other"));
    assertTrue(ClientQuotaResolver.resolve(List.of(quota("alice", null, 3)), P, "bob", "app").isEmpty());
    // A quota of another kind does not count.
    assertTrue(ClientQuotaResolver.resolve(quotas, ClientQuotas.CONSUMER_BYTE_RATE, "alice", "app").isEmpty());
  }

  @Test
  void clientsShareTheQuotaOfTheEntityThatMatched() {
    ClientQuotaResolver.Applied user = ClientQuotaResolver.resolve(List.of(quota("alice", null, 3)), P, "alice", "app").orElseThrow();
    assertEquals(new ClientQuotaResolver.Applied(3, "alice", ""), user);
    ClientQuotaResolver.Applied perClient = ClientQuotaResolver.resolve(List.of(quota(null, D, 8)), P, "alice", "app").orElseThrow();
    assertEquals(new ClientQuotaResolver.Applied(8, "", "app"), perClient);
  }

  @Test
  void theManagerThrottlesOnlyAClientOverItsQuota() {
    ClientQuotaManager manager = new ClientQuotaManager(new ClientQuotaManager.Settings(11, 1000, 11, 1000));
    List<ClientQuota> quotas = List.of(quota(null, "slow", 1000));
    assertEquals(0, manager.recordAndThrottleMs(quotas, P, "ANONYMOUS", "fast", 1_000_000, 0));
    assertEquals(0, manager.recordAndThrottleMs(quotas, P, "ANONYMOUS", "slow", 5_000, 0));
    // 15,000 bytes over the 10 s minimum window: 1500/s, half again the quota, so half the window.
    assertEquals(5_000, manager.recordAndThrottleMs(quotas, P, "ANONYMOUS", "slow", 10_000, 1));
  }

  @Test
  void sensorsOfIdleClientsAreDropped() {
    ClientQuotaManager manager = new ClientQuotaManager(new ClientQuotaManager.Settings(3, 1000, 3, 1000));
    List<ClientQuota> quotas = List.of(quota(null, D, 1000));
    for (int i = 0; i < 100; i++) {
      manager.recordAndThrottleMs(quotas, P, "ANONYMOUS", "client-" + i, 10, 10_000);
    }
    assertEquals(100, manager.sensorCount(), "each client id has its own default quota");
    assertEquals(0, manager.recordAndThrottleMs(quotas, P, "ANONYMOUS", "late", 10, 13_001));
    assertEquals(1, manager.sensorCount(), "clients idle for longer than the window are forgotten");
  }

  @Test
  void changesSetAndRemoveQuotasPerEntity() {
    List<ClientQuota> one = ClientQuotas.withChanges(List.of(), "alice", null, Map.of(P, Optional.of(1024.0)));
    assertEquals(List.of(quota("alice", null, 1024)), one);
    List<ClientQuota> two = ClientQuotas.withChanges(one, "alice", null,
        Map.of(ClientQuotas.CONSUMER_BYTE_RATE, Optional.of(2048.0)));
    assertEquals(List.of(new ClientQuota("alice", null, Map.of(P, 1024.0, ClientQuotas.CONSUMER_BYTE_RATE, 2048.0))), two);
    assertEquals(List.of(), ClientQuotas.withChanges(one, "alice", null, Map.of(P, Optional.empty())));
    assertThrows(InvalidRequestException.class, () -> ClientQuotas.withChanges(one, "alice", null, Map.of("bogus", Optional.of(1.0))));
    assertThrows(InvalidRequestException.class, () -> ClientQuotas.withChanges(one, "alice", null, Map.of(P, Optional.of(-1.0))));
    assertThrows(InvalidRequestException.class, () -> ClientQuotas.withChanges(one, "alice", null, Map.of(P, Optional.of(1.5))));
    assertEquals(1, ClientQuotas.withChanges(one, null, D, Map.of(ClientQuotas.REQUEST_PERCENTAGE, Optional.of(12.5))).size() - 1);
  }

  @Test
  void aThrottledFetchIsUnrecordedAndAFetchIsBoundedByTheWindow() {
    String c = ClientQuotas.CONSUMER_BYTE_RATE;
    ClientQuotaManager manager = new ClientQuotaManager(new ClientQuotaManager.Settings(11, 1000, 11, 1000));
    List<ClientQuota> quotas = List.of(new ClientQuota(null, "reader", Map.of(c, 1000.0)));
    // 10 samples' worth of the quota is the most one fetch may take and still be answered.
    assertEquals(10_000.0, manager.maxValueInWindow(quotas, c, "ANONYMOUS", "reader"), 0.001);
    assertEquals(Double.MAX_VALUE, manager.maxValueInWindow(quotas, c, "ANONYMOUS", "other"));
    assertEquals(0, manager.recordAndThrottleMs(quotas, c, "ANONYMOUS", "reader", 10_000, 0));
    long throttleMs = manager.recordAndThrottleMs(quotas, c, "ANONYMOUS", "reader", 5_000, 1);
    assertEquals(5_000, throttleMs, "15,000 bytes over 10 s: half again the quota");
    // The empty answer sent instead: its bytes taken back, the client is exactly at its quota again.
    manager.unrecord(quotas, c, "ANONYMOUS", "reader", 5_000, 1);
    assertEquals(0, manager.throttleMs(quotas, c, "ANONYMOUS", "reader", 1));
  }

  @Test
  void requestTimeThrottlesAtMostOneSampleWindow() {
    String r = ClientQuotas.REQUEST_PERCENTAGE;
    ClientQuotaManager manager = new ClientQuotaManager(new ClientQuotaManager.Settings(11, 1000, 11, 1000));
    List<ClientQuota> quotas = List.of(new ClientQuota(null, D, Map.of(r, 10.0)));
    // 10 % of a thread over the 10 s minimum window is 100 percent-seconds (one thread for one second).
    assertEquals(0, manager.recordAndThrottleMs(quotas, r, "ANONYMOUS", "busy", 100, 0));
    // Twice the quota would be 10 s of throttle for a byte rate; request time stops at one sample.
    assertEquals(1_000, manager.recordAndThrottleMs(quotas, r, "ANONYMOUS", "busy", 100, 1));
    assertEquals(0, manager.recordAndThrottleMs(quotas, r, "ANONYMOUS", "idle", 1, 1));
  }

  @Test
  void aTokenBucketStartsFullRefillsAtTheQuotaAndMayGoNegative() {
    TokenBucket bucket = new TokenBucket(10_000);
    assertEquals(50.0, bucket.tokens(5, 0), 0.001, "burst: 5 per second over 10 s");
    bucket.record(60, 5, 0);
    assertEquals(-10.0, bucket.tokens(5, 0), 0.001);
    assertEquals(2_000, bucket.throttleMs(5, 0), "10 tokens short at 5 per second");
    assertEquals(-5.0, bucket.tokens(5, 1_000), 0.001);
    assertEquals(1_000, bucket.throttleMs(5, 1_000));
    assertEquals(50.0, bucket.tokens(5, 60_000), 0.001, "never above the burst");
    bucket.record(-100, 5, 60_000);
    assertEquals(50.0, bucket.tokens(5, 60_000), 0.001, "giving back never overfills");
  }

  @Test
  void aStrictMutationQuotaRefusesOnlyOnceTheBucketIsNegative() {
    ClientQuotaManager manager = new ClientQuotaManager(new ClientQuotaManager.Settings(11, 1000, 2, 1000));
    List<ClientQuota> quotas = List.of(new ClientQuota(null, "admin", Map.of(ClientQuotas.CONTROLLER_MUTATION_RATE, 2.0)));
    ControllerMutationQuota first = manager.controllerMutationQuota(quotas, "ANONYMOUS", "admin", true, 0);
    // The bucket holds 4 (2 per second over 2 s): 10 partitions are accepted at once, and not throttled.
    assertTrue(first.record(10, 0));
    assertEquals(0, first.throttleMs(0));
    assertTrue(!first.record(1, 0), "the bucket is 6 short");
    assertEquals(3_000, first.throttleMs(0));
    assertEquals(2_000, first.throttleMs(1_000), "the time left, as the request is answered later");
    ControllerMutationQuota later = manager.controllerMutationQuota(quotas, "ANONYMOUS", "admin", true, 3_000);
    assertTrue(later.record(1, 3_000), "back to zero after 3 s");
    assertEquals(ControllerMutationQuota.UNBOUNDED, manager.controllerMutationQuota(quotas, "ANONYMOUS", "other", true, 0));
  }

  @Test
  void aPermissiveMutationQuotaAcceptsAllAndThrottlesTheOverdraft() {
    ClientQuotaManager manager = new ClientQuotaManager(new ClientQuotaManager.Settings(11, 1000, 2, 1000));
    List<ClientQuota> quotas = List.of(new ClientQuota(null, "admin", Map.of(ClientQuotas.CONTROLLER_MUTATION_RATE, 2.0)));
    ControllerMutationQuota quota = manager.controllerMutationQuota(quotas, "ANONYMOUS", "admin", false, 0);
    assertTrue(quota.record(4, 0));
    assertEquals(0, quota.throttleMs(0), "the burst is the bucket");
    assertTrue(quota.record(6, 0));
    assertEquals(3_000, quota.throttleMs(0));
    assertTrue(quota.record(2, 0));
    assertEquals(4_000, quota.throttleMs(0));
    // A change the controller then refused gives its partitions back.
    quota.unrecord(8, 0);
    ControllerMutationQuota next = manager.controllerMutationQuota(quotas, "ANONYMOUS", "admin", true, 0);
    assertTrue(next.record(1, 0));
    assertEquals(0, next.throttleMs(0));
  }

  private static ClientQuota quota(String user, String clientId, double limit) {
    return new ClientQuota(user, clientId, Map.of(P, limit));
  }

  private static double limit(List<ClientQuota> quotas, String user, String clientId) {
    return ClientQuotaResolver.resolve(quotas, P, user, clientId).orElseThrow().limit();
  }
}
