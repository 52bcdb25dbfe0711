package io.vltava.kafka;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;

class ApiHandlersTest {

  private static ApiHandler handler(ApiKeys key, int oldest, int latest) {
    return new ScriptedHandler(
        key,
        (short) oldest,
        (short) latest,
        (header, request) -> CompletableFuture.completedFuture(null));
  }

  @Test
  void rejectsTwoHandlersForOneKey() {
    List<ApiHandler> twice = List.of(handler(ApiKeys.FETCH, 4, 4), handler(ApiKeys.FETCH, 5, 5));
    assertThrows(IllegalArgumentException.class, () -> ApiHandlers.of(twice));
  }

  @Test
  void rejectsAnApiVersionsHandlerBecauseItIsBuiltIn() {
    List<ApiHandler> apiVersions = List.of(handler(ApiKeys.API_VERSIONS, 0, 4));
    assertThrows(IllegalArgumentException.class, () -> ApiHandlers.of(apiVersions));
  }

  @Test
  void rejectsAVersionKafkaClientsCannotParse() {
    int tooNew = ApiKeys.HEARTBEAT.latestVersion(true) + 1;
    List<ApiHandler> heartbeat = List.of(handler(ApiKeys.HEARTBEAT, 0, tooNew));
    assertThrows(IllegalArgumentException.class, () -> ApiHandlers.of(heartbeat));
  }

  @Test
  void acceptsProduceAdvertisedFromV0() {
    ApiHandlers.of(List.of(handler(ApiKeys.PRODUCE, 0, ApiKeys.PRODUCE.latestVersion())));
  }
}
