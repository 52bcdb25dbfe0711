package io.vltava.metadata;

import java.util.Map;

/**
 * The quotas set for one client-quota entity (kafka-configs --entity-type users/clients): a user,
 * a client id, or a user and client id together. A component is null when the entity does not
 * name it, and {@link #DEFAULT} for Kafka's default entity ({@code --entity-default}).
 *
 * @param values quota name (producer_byte_rate, consumer_byte_rate, request_percentage) to its value
 */
public record ClientQuota(String user, String clientId, Map<String, Double> values) implements CborSerializable {
  /** How the default entity is stored, as Kafka's ZooKeeper paths named it. */
  public static final String DEFAULT = "<default>";

  public ClientQuota {
    values = Map.copyOf(values);
  }

  public boolean sameEntity(String otherUser, String otherClientId) {
    return java.util.Objects.equals(user, otherUser) && java.util.Objects.equals(clientId, otherClientId);
  }
}
