package io.vltava.kafka;

import io.vltava.metadata.ClientQuota;
import java.util.List;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.quota.ClientQuotaEntity;

/** Client-quota entities as the quota APIs name them: (entity type, name) pairs, a null name for the default. */
final class ClientQuotaEntities {
  private ClientQuotaEntities() {}

  /** A (user, client id) entity; a component is null when not named, {@link ClientQuota#DEFAULT} for the default. */
  record Entity(String user, String clientId) {}

  /** One (type, name) component of a request's entity. */
  record Component(String type, String name) {}

  static Entity parse(List<Component> components) {
    String user = null;
    String clientId = null;
    boolean hasUser = false;
    boolean hasClientId = false;
    for (Component component : components) {
      String name = component.name() == null ? ClientQuota.DEFAULT : component.name();
      if (ClientQuotaEntity.USER.equals(component.type()) && !hasUser) {
        hasUser = true;
        user = name;
      } else if (ClientQuotaEntity.CLIENT_ID.equals(component.type()) && !hasClientId) {
        hasClientId = true;
        clientId = name;
      } else if (ClientQuotaEntity.USER.equals(component.type()) || ClientQuotaEntity.CLIENT_ID.equals(component.type())) {
        throw new InvalidRequestException("Duplicate " + component.type() + " in the quota entity.");
      } else {
        throw new InvalidRequestException("Unsupported quota entity type " + component.type()
            + "; quotas are set for " + ClientQuotaEntity.USER + " and " + ClientQuotaEntity.CLIENT_ID + ".");
      }
    }
    if (!hasUser && !hasClientId) {
      throw new InvalidRequestException("Invalid empty client quota entity.");
    }
    return new Entity(user, clientId);
  }

  /** The components of a stored quota's entity, defaults as null names. */
  static List<Component> components(ClientQuota quota) {
    java.util.ArrayList<Component> components = new java.util.ArrayList<>();
    if (quota.user() != null) {
      components.add(new Component(ClientQuotaEntity.USER, nameOf(quota.user())));
    }
    if (quota.clientId() != null) {
      components.add(new Component(ClientQuotaEntity.CLIENT_ID, nameOf(quota.clientId())));
    }
    return components;
  }

  private static String nameOf(String stored) {
    return ClientQuota.DEFAULT.equals(stored) ? null : stored;
  }
}
