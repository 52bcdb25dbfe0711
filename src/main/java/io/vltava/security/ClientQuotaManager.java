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

  private final Settings settings;
  private final ConcurrentHashMap<SensorKey, WindowedRate> rates = new ConcurrentHashMap<>();

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
    WindowedRate rate = rates.computeIfAbsent(
        new SensorKey(quotaName, applied.get().sensorUser(), applied.get().sensorClientId()),
        key -> new WindowedRate(settings.samples(), settings.sampleWindowMs()));
    synchronized (rate) {
      rate.record(value, nowMs);
      return rate.throttleMs(applied.get().limit(), nowMs);
    }
  }
}
