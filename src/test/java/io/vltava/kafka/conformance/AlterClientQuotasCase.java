package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.AlterClientQuotasRequestData;
import org.apache.kafka.common.message.AlterClientQuotasRequestData.EntityData;
import org.apache.kafka.common.message.AlterClientQuotasRequestData.EntryData;
import org.apache.kafka.common.message.AlterClientQuotasRequestData.OpData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.requests.AlterClientQuotasResponse;

/**
 * AlterClientQuotas: quotas of a user and of the default client id are set and then removed; an
 * unsupported entity type or an unknown quota is refused for its entry alone; validate_only
 * changes nothing.
 */
final class AlterClientQuotasCase implements ApiCase {

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.ALTER_CLIENT_QUOTAS;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    String user = "quota-user-v" + version;
    EntryData userQuotas = entry(List.of(entity(ClientQuotaEntity.USER, user)),
        op("producer_byte_rate", 1024, false), op("consumer_byte_rate", 2048, false));
    EntryData defaultClient = entry(List.of(entity(ClientQuotaEntity.CLIENT_ID, null)), op("request_percentage", 50, false));
    EntryData ipEntity = entry(List.of(entity(ClientQuotaEntity.IP, "10.0.0.1")), op("connection_creation_rate", 5, false));
    EntryData unknownQuota = entry(List.of(entity(ClientQuotaEntity.USER, user + "-x")), op("bogus_rate", 5, false));

    assertEquals(List.of(Errors.NONE, Errors.NONE), alter(broker, version, true, userQuotas, defaultClient));
    assertEquals(Map.of(), described(broker), "validate_only stores nothing");

    assertEquals(List.of(Errors.NONE, Errors.NONE, Errors.INVALID_REQUEST, Errors.INVALID_REQUEST),
        alter(broker, version, false, userQuotas, defaultClient, ipEntity, unknownQuota));
    Map<ClientQuotaEntity, Map<String, Double>> stored = described(broker);
    assertEquals(Map.of("producer_byte_rate", 1024.0, "consumer_byte_rate", 2048.0),
        stored.get(new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, user))));
    assertEquals(Map.of("request_percentage", 50.0),
        stored.get(new ClientQuotaEntity(Collections.singletonMap(ClientQuotaEntity.CLIENT_ID, null))));

    assertEquals(List.of(Errors.NONE, Errors.NONE), alter(broker, version, false,
        entry(List.of(entity(ClientQuotaEntity.USER, user)), op("producer_byte_rate", 0, true), op("consumer_byte_rate", 0, true)),
        entry(List.of(entity(ClientQuotaEntity.CLIENT_ID, null)), op("request_percentage", 0, true))));
    assertEquals(Map.of(), described(broker));
  }

  private static List<Errors> alter(ConformanceBroker broker, short version, boolean validateOnly, EntryData... entries)
      throws Exception {
    AlterClientQuotasResponse response = broker.send(
        new AlterClientQuotasRequestData().setEntries(List.of(entries)).setValidateOnly(validateOnly), version);
    assertEquals(entries.length, response.data().entries().size());
    List<Errors> errors = new ArrayList<>();
    for (int i = 0; i < entries.length; i++) {
      assertEquals(entries[i].entity().get(0).entityType(), response.data().entries().get(i).entity().get(0).entityType());
      errors.add(Errors.forCode(response.data().entries().get(i).errorCode()));
    }
    return errors;
  }

  private static Map<ClientQuotaEntity, Map<String, Double>> described(ConformanceBroker broker) throws Exception {
    return new HashMap<>(broker.admin().describeClientQuotas(ClientQuotaFilter.all()).entities().get());
  }

  private static EntityData entity(String type, String name) {
    return new EntityData().setEntityType(type).setEntityName(name);
  }

  private static OpData op(String key, double value, boolean remove) {
    return new OpData().setKey(key).setValue(value).setRemove(remove);
  }

  private static EntryData entry(List<EntityData> entity, OpData... ops) {
    return new EntryData().setEntity(entity).setOps(List.of(ops));
  }
}
