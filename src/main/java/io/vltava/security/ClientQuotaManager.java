package io.vltava.security;

import com.typesafe.config.Config;
import io.vltava.metadata.ClientQuota;
import io.vltava.metadata.ClientQuotas;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Measures each client against its quotas ({@link ClientQuotaResolver}) and says how long it must
 * be throttled: produce and fetch bytes and request time as rates over a sliding window
 * ({@link WindowedRate}), partition mutations in a token bucket ({@link TokenBucket}). One sensor
 * per quota and matched entity, shared by the clients the entity covers. Thread-safe.
 */
public final class ClientQuotaManager {
  /**
   * Kafka's quota.window.num and quota.window.size.seconds (byte rates and request time) and
   * controller.quota.window.num and controller.quota.window.size.seconds (partition mutations),
   * read from {@code vltava.quotas}.
   */
  public record Settings(int samples, long sampleWindowMs, int controllerSamples, long controllerSampleWindowMs) {
    public static Settings fromConfig(Config quotas) {
      return new Settings(quotas.getInt("quota.window.num"), quotas.getInt("quota.window.size.seconds") * 1000L,
          quotas.getInt("controller.quota.window.num"), quotas.getInt("controller.quota.window.size.seconds") * 1000L);
    }

    long windowMs() {
      return samples * sampleWindowMs;
    }

    long controllerWindowMs() {
      return controllerSamples * controllerSampleWindowMs;
    }
  }

  private record SensorKey(String quota, String user, String clientId) {}

  /** A rate or bucket, and when it was last recorded to; guarded by its own lock. */
  private static final class Sensor<S> {
    final S stat;
    final long idleAfterMs;
    long lastRecordMs;

    Sensor(S stat, long idleAfterMs) {
      this.stat = stat;
      this.idleAfterMs = idleAfterMs;
    }
  }

  private final Settings settings;
  private final ConcurrentHashMap<SensorKey, Sensor<?>> sensors = new ConcurrentHashMap<>();
  private volatile long lastPruneMs;

  public ClientQuotaManager(Settings settings) {
    this.settings = settings;
  }

  /**
   * Records {@code value} (bytes, or for request_percentage percent-seconds of a thread) against
   * {@code quotaName} for the client and returns how many milliseconds it is to be throttled; 0
   * when no quota applies or it is within its quota.
   */
  public long recordAndThrottleMs(
      Collection<ClientQuota> quotas, String quotaName, String user, String clientId, double value, long nowMs) {
    return withRate(quotas, quotaName, user, clientId, nowMs, (rate, limit) -> {
      rate.record(value, nowMs);
      return rate.throttleMs(limit, nowMs, maxThrottleMs(quotaName));
    });
  }

  /**
   * Takes back a value recorded for a request that did not get it after all: a throttled fetch is
   * answered empty, so its bytes must not count (Kafka's unrecordQuotaSensor).
   */
  public void unrecord(Collection<ClientQuota> quotas, String quotaName, String user, String clientId, double value, long nowMs) {
    withRate(quotas, quotaName, user, clientId, nowMs, (rate, limit) -> {
      rate.record(-value, nowMs);
      return 0L;
    });
  }

  /** How long the client would be throttled now on {@code quotaName}, recording nothing. */
  public long throttleMs(Collection<ClientQuota> quotas, String quotaName, String user, String clientId, long nowMs) {
    return withRate(quotas, quotaName, user, clientId, nowMs, (rate, limit) -> rate.throttleMs(limit, nowMs, maxThrottleMs(quotaName)));
  }

  /**
   * The most a client may take at once without being throttled for sure even on an idle window
   * (Kafka's maxValueInQuotaWindow: the quota over the window less one sample); unbounded without a
   * quota. A fetch is limited to this, or a consumer with a small quota would be answered empty forever.
   */
  public double maxValueInWindow(Collection<ClientQuota> quotas, String quotaName, String user, String clientId) {
    return ClientQuotaResolver.resolve(quotas, quotaName, user, clientId)
        .map(applied -> applied.limit() * (settings.samples() - 1) * settings.sampleWindowMs() / 1000.0)
        .orElse(Double.MAX_VALUE);
  }

  /** The client's partition-mutation quota for one request: strict or permissive by its version (see {@link ControllerMutationQuota}). */
  public ControllerMutationQuota controllerMutationQuota(Collection<ClientQuota> quotas, String user, String clientId, boolean strict, long nowMs) {
    Optional<ClientQuotaResolver.Applied> applied =
        ClientQuotaResolver.resolve(quotas, ClientQuotas.CONTROLLER_MUTATION_RATE, user, clientId);
    if (applied.isEmpty()) {
      return ControllerMutationQuota.UNBOUNDED;
    }
    Sensor<TokenBucket> sensor = sensor(ClientQuotas.CONTROLLER_MUTATION_RATE, applied.get(), nowMs,
        settings.controllerWindowMs(), key -> new TokenBucket(settings.controllerWindowMs()));
    synchronized (sensor) {
      sensor.lastRecordMs = nowMs;
    }
    return new ControllerMutationQuota(sensor.stat, applied.get().limit(), strict);
  }

  /** The sensors that counted against quotas, for tests: one per quota and matched entity still live. */
  int sensorCount() {
    return sensors.size();
  }

  /** As Kafka: request time throttles at most one sample window, byte rates at most the whole window. */
  private long maxThrottleMs(String quotaName) {
    return ClientQuotas.REQUEST_PERCENTAGE.equals(quotaName) ? settings.sampleWindowMs() : settings.windowMs();
  }

  private interface RateUse {
    long apply(WindowedRate rate, double limit);
  }

  private long withRate(Collection<ClientQuota> quotas, String quotaName, String user, String clientId, long nowMs, RateUse use) {
    Optional<ClientQuotaResolver.Applied> applied = ClientQuotaResolver.resolve(quotas, quotaName, user, clientId);
    if (applied.isEmpty()) {
      return 0;
    }
    Sensor<WindowedRate> sensor = sensor(quotaName, applied.get(), nowMs, settings.windowMs(),
        key -> new WindowedRate(settings.samples(), settings.sampleWindowMs()));
    synchronized (sensor) {
      sensor.lastRecordMs = nowMs;
      return use.apply(sensor.stat, applied.get().limit());
    }
  }

  @SuppressWarnings("unchecked")
  private <S> Sensor<S> sensor(String quotaName, ClientQuotaResolver.Applied applied, long nowMs, long idleAfterMs,
      Function<SensorKey, S> stat) {
    pruneIdle(nowMs);
    return (Sensor<S>) sensors.computeIfAbsent(new SensorKey(quotaName, applied.sensorUser(), applied.sensorClientId()),
        key -> new Sensor<>(stat.apply(key), idleAfterMs));
  }

  /**
   * Drops the sensors of clients idle for longer than their window: a rate is then 0 and a bucket
   * full, exactly what a new sensor starts from, so clients with ever new ids cannot grow the map
   * without bound.
   */
  private void pruneIdle(long nowMs) {
    if (nowMs - lastPruneMs < settings.windowMs()) {
      return;
    }
    lastPruneMs = nowMs;
    sensors.values().removeIf(sensor -> {
      synchronized (sensor) {
        return nowMs - sensor.lastRecordMs > sensor.idleAfterMs;
      }
    });
  }
}
