package io.vltava.kafka;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.protocol.ApiKeys;

/** The handler for each API key a listener serves, including the built-in ApiVersions. */
public final class ApiHandlers {

  private final Map<ApiKeys, ApiHandler> byKey = new EnumMap<>(ApiKeys.class);

  private ApiHandlers(List<? extends ApiHandler> handlers) {
    for (ApiHandler handler : handlers) {
      ApiKeys key = handler.apiKey();
      if (key == ApiKeys.API_VERSIONS) {
        throw new IllegalArgumentException("ApiVersions is built in; do not register a handler");
      }
      if (handler.oldestVersion() > handler.latestVersion()) {
        throw new IllegalArgumentException(key + " handler declares an empty version range");
      }
      // Older versions may be advertised (Produce from v0), but newer ones could not be parsed.
      if (handler.latestVersion() > key.latestVersion(true)) {
        throw new IllegalArgumentException(
            key + " v" + handler.latestVersion() + " is newer than kafka-clients can parse");
      }
      if (byKey.putIfAbsent(key, handler) != null) {
        throw new IllegalArgumentException("two handlers for " + key);
      }
    }
    byKey.put(ApiKeys.API_VERSIONS, new ApiVersionsHandler(new ArrayList<>(byKey.values())));
  }

  public static ApiHandlers of(List<? extends ApiHandler> handlers) {
    return new ApiHandlers(handlers);
  }

  Optional<ApiHandler> handlerFor(ApiKeys key) {
    return Optional.ofNullable(byKey.get(key));
  }
}
