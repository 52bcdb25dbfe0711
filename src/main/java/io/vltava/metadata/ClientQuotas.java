package io.vltava.metadata;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.errors.InvalidRequestException;

/**
 * The client quotas Kafka knows for users and client ids, and how a change to one entity's quotas
 * is validated and applied to the cluster's list.
 */
public final class ClientQuotas {
  /** Bytes per second a user or client may produce. */
  public static final String PRODUCER_BYTE_RATE = "producer_byte_rate";
  /** Bytes per second a user or client may fetch. */
  public static final String CONSUMER_BYTE_RATE = "consumer_byte_rate";
  /** Share of one thread's time that a user or client's requests may take, in percent. */
  public static final String REQUEST_PERCENTAGE = "request_percentage";
  /** Partitions a user or client may create or delete per second (KIP-599). */
  public static final String CONTROLLER_MUTATION_RATE = "controller_mutation_rate";

  private static final Set<String> WHOLE_NUMBERS = Set.of(PRODUCER_BYTE_RATE, CONSUMER_BYTE_RATE);
  private static final Set<String> NAMES = Set.of(PRODUCER_BYTE_RATE, CONSUMER_BYTE_RATE, REQUEST_PERCENTAGE, CONTROLLER_MUTATION_RATE);

  private ClientQuotas() {}

  /**
   * {@code current} with the entity's quotas set (value present) or removed (value empty); an
   * entity left without quotas disappears. Throws InvalidRequestException for an unknown quota or a
   * value Kafka would refuse.
   */
  public static List<ClientQuota> withChanges(
      List<ClientQuota> current, String user, String clientId, Map<String, Optional<Double>> changes) {
    if (user == null && clientId == null) {
      throw new InvalidRequestException("A client quota entity names a user, a client id, or both.");
    }
    Map<String, Double> values = new HashMap<>();
    List<ClientQuota> next = new ArrayList<>();
    for (ClientQuota quota : current) {
      if (quota.sameEntity(user, clientId)) {
        values.putAll(quota.values());
      } else {
        next.add(quota);
      }
    }
    changes.forEach((name, value) -> {
      if (!NAMES.contains(name)) {
        throw new InvalidRequestException("Unknown quota " + name + " for users and client ids; known: " + NAMES);
      }
      if (value.isEmpty()) {
        values.remove(name);
        return;
      }
      double v = value.get();
      if (!(v > 0) || Double.isInfinite(v)) {
        throw new InvalidRequestException("Quota " + name + " must be a positive number; was " + v);
      }
      if (WHOLE_NUMBERS.contains(name) && v != Math.rint(v)) {
        throw new InvalidRequestException("Quota " + name + " is a whole number of bytes per second; was " + v);
      }
      values.put(name, v);
    });
    if (!values.isEmpty()) {
      next.add(new ClientQuota(user, clientId, values));
    }
    return next;
  }
}
