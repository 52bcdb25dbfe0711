package io.vltava.security;

import com.typesafe.config.Config;
import io.vltava.metadata.ClientQuota;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Measures each client's produce and fetch bytes against its quota ({@link ClientQuotaResolver})
 * and says how long the client must be throttled. One rate per quota and matched entity, shared by
 * the clients the entity covers. Thread-safe.
 */
public final class ClientQuotaManager {
  /** Kafka's quota.window.num and quota.window.size.seconds, read from {@code vltava.quotas}. */
  public record Settings(int samples, long sampleWindowMs) {
    public static Settings fromConfig(Config quotas) {
      return new Settings(quotas.getInt("quota.window.num"), quotas.getInt("quota.window.size.seconds") * 1000L);
    }
  }

  private record SensorKey(String quota, String user, String clientId) {}

  /** A rate and when it was last recorded to; guarded by its own lock. */
  private static final class Sensor {
    final WindowedRate rate;
    long lastRecordMs;

    Sensor(WindowedRate rate) {
      this.rate = rate;
    }
  }

  private final Settings settings;
  private final ConcurrentHashMap<SensorKey, Sensor> sensors = new ConcurrentHashMap<>();
  private volatile long lastPruneMs;

  public ClientQuotaManager(Settings settings) {
    this.settings = settings;
  }

  /**
   * Records {@code value} (bytes) against {@code quotaName} for the client and returns how many
   * milliseconds it is to be throttled; 0 when no quota applies or it is within its quota.
   */
  public long recordAndThrottleMs(
      Collection<ClientQuota> quotas, String quotaName, String user, String clientId, double value, long nowMs) {
    Optional<ClientQuotaResolver.Applied> applied = ClientQuotaResolver.resolve(quotas, quotaName, user, clientId);
    if (applied.isEmpty()) {
      return 0;
    }
    pruneIdle(nowMs);
    Sensor sensor = sensors.computeIfAbsent(
        new SensorKey(quotaName, applied.get().sensorUser(), applied.get().sensorClientId()),
        key -> new Sensor(new WindowedRate(settings.samples(), settings.sampleWindowMs())));
    synchronized (sensor) {
      sensor.lastRecordMs = nowMs;
      sensor.rate.record(value, nowMs);
      return sensor.rate.throttleMs(applied.get().limit(), nowMs);
    }
  }

  /** The sensors that counted against quotas, for tests: one per quota and matched entity still live. */
  int sensorCount() {
    return sensors.size();
  }

  /**
   * Drops the sensors of clients idle for longer than the window: their rate is 0, exactly what a
   * new sensor starts from, so clients with ever new ids cannot grow the map without bound.
   */
  private void pruneIdle(long nowMs) {
    long windowMs = settings.samples() * settings.sampleWindowMs();
    if (nowMs - lastPruneMs < windowMs) {
      return;
    }
    lastPruneMs = nowMs;
    sensors.values().removeIf(sensor -> {
      synchronized (sensor) {
        return nowMs - sensor.lastRecordMs > windowMs;
      }
    });
  }
}
