package io.vltava.security;

import io.vltava.metadata.ClientQuota;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Which configured quota applies to a (user, client id) pair, by Kafka's precedence: user and
 * client id, user and default client, user, default user and client id, default user and default
 * client, default user, client id, default client — the first of these entities that sets the
 * quota wins. Clients share the quota of the entity that matched: a user's quota is shared by all
 * of that user's client ids, a default one is each user's (or client id's) own.
 */
public final class ClientQuotaResolver {
  private ClientQuotaResolver() {}

  /** The quota that applies and the key of the sensor that counts against it. */
  public record Applied(double limit, String sensorUser, String sensorClientId) {}

  public static Optional<Applied> resolve(Collection<ClientQuota> quotas, String quotaName, String user, String clientId) {
    String d = ClientQuota.DEFAULT;
    List<String[]> order = List.of(
        new String[] {user, clientId}, new String[] {user, d}, new String[] {user, null},
        new String[] {d, clientId}, new String[] {d, d}, new String[] {d, null},
        new String[] {null, clientId}, new String[] {null, d});
    for (String[] entity : order) {
      for (ClientQuota quota : quotas) {
        Double limit = quota.values().get(quotaName);
        if (limit != null && quota.sameEntity(entity[0], entity[1])) {
          return Optional.of(new Applied(limit, entity[0] == null ? "" : user, entity[1] == null ? "" : clientId));
        }
      }
    }
    return Optional.empty();
  }
}
