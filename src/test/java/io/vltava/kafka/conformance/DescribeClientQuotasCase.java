package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData.ComponentData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData.EntryData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.requests.DescribeClientQuotasRequest;
import org.apache.kafka.common.requests.DescribeClientQuotasResponse;

/**
 * DescribeClientQuotas: filter components match a name, the default, or any name of their type;
 * non-strict filters also return entities with more components, strict ones only exact shapes; an
 * unsupported entity type is INVALID_REQUEST.
 */
final class DescribeClientQuotasCase implements ApiCase {

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.DESCRIBE_CLIENT_QUOTAS;
  }

  @Override
  public void check(ConformanceBroker broker, short version) throws Exception {
    String user = "described-v" + version;
    String client = "described-client-v" + version;
    ClientQuotaEntity userOnly = new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, user));
    ClientQuotaEntity userAndClient = new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, user, ClientQuotaEntity.CLIENT_ID, client));
    ClientQuotaEntity defaultUser = new ClientQuotaEntity(Collections.singletonMap(ClientQuotaEntity.USER, null));
    ClientQuotaEntity clientOnly = new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, client));
    List<ClientQuotaEntity> all = List.of(userOnly, userAndClient, defaultUser, clientOnly);
    alter(broker, all, 1000.0);
    try {
      assertEquals(Set.of(userOnly, userAndClient), describe(broker, version, false,
          component(ClientQuotaEntity.USER, DescribeClientQuotasRequest.MATCH_TYPE_EXACT, user)).keySet());
      assertEquals(Map.of(userOnly, Map.of("producer_byte_rate", 1000.0)), describe(broker, version, true,
          component(ClientQuotaEntity.USER, DescribeClientQuotasRequest.MATCH_TYPE_EXACT, user)));
      assertEquals(Set.of(defaultUser), describe(broker, version, false,
          component(ClientQuotaEntity.USER, DescribeClientQuotasRequest.MATCH_TYPE_DEFAULT, null)).keySet());
      assertEquals(Set.of(userAndClient, clientOnly), describe(broker, version, false,
          component(ClientQuotaEntity.CLIENT_ID, DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED, null)).keySet());
      assertEquals(Set.of(userAndClient), describe(broker, version, true,
          component(ClientQuotaEntity.USER, DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED, null),
          component(ClientQuotaEntity.CLIENT_ID, DescribeClientQuotasRequest.MATCH_TYPE_EXACT, client)).keySet());

      DescribeClientQuotasResponse refused = broker.send(new DescribeClientQuotasRequestData().setComponents(List.of(
          component(ClientQuotaEntity.IP, DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED, null))), version);
      assertEquals(Errors.INVALID_REQUEST.code(), refused.data().errorCode());
    } finally {
      alter(broker, all, null);
    }
  }

  private static void alter(ConformanceBroker broker, List<ClientQuotaEntity> entities, Double value) throws Exception {
    broker.admin().alterClientQuotas(entities.stream().map(entity -> new ClientQuotaAlteration(entity,
            List.of(new ClientQuotaAlteration.Op("producer_byte_rate", value)))).toList())
        .all().get(30, TimeUnit.SECONDS);
    assertEquals(value == null ? 0 : entities.size(),
        broker.admin().describeClientQuotas(ClientQuotaFilter.all()).entities().get(30, TimeUnit.SECONDS).size());
  }

  private static ComponentData component(String type, byte matchType, String match) {
    return new ComponentData().setEntityType(type).setMatchType(matchType).setMatch(match);
  }

  private static Map<ClientQuotaEntity, Map<String, Double>> describe(ConformanceBroker broker, short version, boolean strict,
      ComponentData... components) throws Exception {
    DescribeClientQuotasResponse response = broker.send(
        new DescribeClientQuotasRequestData().setComponents(List.of(components)).setStrict(strict), version);
    assertEquals(Errors.NONE.code(), response.data().errorCode());
    Map<ClientQuotaEntity, Map<String, Double>> described = new HashMap<>();
    for (EntryData entry : response.data().entries()) {
      Map<String, String> entity = new HashMap<>();
      entry.entity().forEach(e -> entity.put(e.entityType(), e.entityName()));
      Map<String, Double> values = new HashMap<>();
      entry.values().forEach(v -> values.put(v.key(), v.value()));
      described.put(new ClientQuotaEntity(entity), values);
    }
    return described;
  }
}
