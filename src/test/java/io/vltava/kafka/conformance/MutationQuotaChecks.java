package io.vltava.kafka.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * controller_mutation_rate (KIP-599) as CreateTopics, CreatePartitions and DeleteTopics see it. A
 * client id of its own gets a quota of 1 partition per second, so its bucket holds 2 (the
 * conformance node keeps 2 samples). A first request mutating {@link #OVERDRAWING} partitions is
 * accepted, leaving the bucket 3 short. At the strict versions it is not throttled, and a second
 * request is then refused THROTTLING_QUOTA_EXCEEDED with the time to wait; at older versions the
 * first is accepted and throttled. Each request goes on a connection of its own: a throttled
 * connection is muted.
 */
final class MutationQuotaChecks {
  static final int OVERDRAWING = 5;
  private static final int MAX_THROTTLE_MS = (OVERDRAWING - 2) * 1000;

  /** One request as the quota's client; {@code first} tells whether it is the one that overdraws. */
  interface Mutation {
    AbstractResponse send(ConformanceBroker.Connection connection, boolean first) throws Exception;
  }

  private MutationQuotaChecks() {}

  /**
   * Sends the overdrawing mutation and, at strict versions, a one-partition one, with the quota set
   * for their client id meanwhile; {@code errorOf} reads the error of the one topic a response names.
   */
  static void check(ConformanceBroker broker, ApiKeys api, short version, short strictSince, Mutation mutation,
      java.util.function.Function<AbstractResponse, Errors> errorOf) throws Exception {
    String clientId = "mutation-quota-" + api.name().toLowerCase() + "-v" + version;
    ClientQuotaEntity entity = new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, clientId));
    alter(broker, entity, 1.0);
    try {
      AbstractResponse first = sendAs(broker, clientId, mutation, true);
      assertEquals(Errors.NONE, errorOf.apply(first), "the first mutation fits the bucket");
      if (version < strictSince) {
        assertThrottled(first.throttleTimeMs(), api + " v" + version + " is permissive: accepted and throttled");
        return;
      }
      assertEquals(0, first.throttleTimeMs(), api + " v" + version + " is strict: what was accepted is not throttled");
      AbstractResponse second = sendAs(broker, clientId, mutation, false);
      assertEquals(Errors.THROTTLING_QUOTA_EXCEEDED, errorOf.apply(second), "the bucket is below zero");
      assertThrottled(second.throttleTimeMs(), api + " v" + version + " refused");
    } finally {
      alter(broker, entity, null);
    }
  }

  private static AbstractResponse sendAs(ConformanceBroker broker, String clientId, Mutation mutation, boolean first) throws Exception {
    try (ConformanceBroker.Connection connection = broker.connectAs(clientId)) {
      return mutation.send(connection, first);
    }
  }

  private static void assertThrottled(int throttleTimeMs, String what) {
    assertTrue(throttleTimeMs > 0 && throttleTimeMs <= MAX_THROTTLE_MS, what + ": throttle_time_ms " + throttleTimeMs);
  }

  private static void alter(ConformanceBroker broker, ClientQuotaEntity entity, Double rate) throws Exception {
    broker.admin().alterClientQuotas(List.of(new ClientQuotaAlteration(entity,
        List.of(new ClientQuotaAlteration.Op("controller_mutation_rate", rate))))).all().get();
  }
}
