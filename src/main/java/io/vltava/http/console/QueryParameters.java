package io.vltava.http.console;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A URL's query string as names and decoded values; a repeated name keeps its last value. Immutable. */
record QueryParameters(Map<String, String> values) {

  static QueryParameters parse(String rawQuery) {
    Map<String, String> values = new HashMap<>();
    if (rawQuery != null && !rawQuery.isEmpty()) {
      for (String pair : rawQuery.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int equals = pair.indexOf('=');
        String name = equals < 0 ? pair : pair.substring(0, equals);
        String value = equals < 0 ? "" : pair.substring(equals + 1);
        values.put(decode(name), decode(value));
      }
    }
    return new QueryParameters(Map.copyOf(values));
  }

  /** The value of {@code name}, empty when absent or blank. */
  Optional<String> get(String name) {
    return Optional.ofNullable(values.get(name)).map(String::strip).filter(v -> !v.isEmpty());
  }

  String require(String name) {
    return get(name).orElseThrow(() -> ApiException.badRequest("missing parameter '" + name + "'"));
  }

  Optional<Long> getLong(String name) {
    return get(name).map(value -> {
      try {
        return Long.parseLong(value);
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("parameter '" + name + "' must be a whole number, was '" + value + "'");
      }
    });
  }

  static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("malformed URL encoding in '" + text + "'");
    }
  }
}
