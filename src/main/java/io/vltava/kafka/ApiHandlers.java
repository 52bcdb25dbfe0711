package io.vltava.kafka;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The handler for each API key a listener serves, including the built-in ApiVersions, and the SASL
 * APIs that each connection's {@link ConnectionAuthenticator} answers (declared here so that
 * ApiVersions advertises them).
 */
public final class ApiHandlers {

  private final Map<ApiKeys, ApiHandler> byKey = new EnumMap<>(ApiKeys.class);

  private ApiHandlers(List<? extends ApiHandler> handlers) {
    for (ApiHandler handler : handlers) {
      ApiKeys key = handler.apiKey();
      if (key == ApiKeys.API_VERSIONS || key == ApiKeys.SASL_HANDSHAKE || key == ApiKeys.SASL_AUTHENTICATE) {
        throw new IllegalArgumentException(key + " is built in; do not register a handler");
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
    byKey.put(ApiKeys.SASL_HANDSHAKE, new AnsweredByConnection(ApiKeys.SASL_HANDSHAKE, (short) 0, (short) 1));
    byKey.put(ApiKeys.SASL_AUTHENTICATE, new AnsweredByConnection(ApiKeys.SASL_AUTHENTICATE, (short) 0, (short) 2));
    byKey.put(ApiKeys.API_VERSIONS, new ApiVersionsHandler(new ArrayList<>(byKey.values())));
  }

  /**
   * An API whose state is the connection's, so the dispatcher hands it to the connection's
   * authenticator; this only declares its versions.
   */
  record AnsweredByConnection(ApiKeys apiKey, short oldestVersion, short latestVersion) implements ApiHandler {
    @Override
    public java.util.concurrent.CompletionStage<org.apache.kafka.common.requests.AbstractResponse> handle(
        RequestContext context, org.apache.kafka.common.requests.AbstractRequest request) {
      throw new IllegalStateException(apiKey + " is answered by the connection's authenticator");
    }
  }

  public static ApiHandlers of(List<? extends ApiHandler> handlers) {
    return new ApiHandlers(handlers);
  }

  Optional<ApiHandler> handlerFor(ApiKeys key) {
    return Optional.ofNullable(byKey.get(key));
  }
}
