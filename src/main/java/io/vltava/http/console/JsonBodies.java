package io.vltava.http.console;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** Typed reads of fields in a request's JSON body; a missing or mistyped field is an {@link ApiException} 400 naming it. */
final class JsonBodies {
  private JsonBodies() {}

  static JsonNode requireObject(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw ApiException.badRequest("the request body must be a JSON object");
    }
    return body;
  }

  static String requireText(JsonNode body, String field) {
    return optionalText(body, field).orElseThrow(() -> ApiException.badRequest("missing field '" + field + "'"));
  }

  static Optional<String> optionalText(JsonNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isTextual()) {
      throw ApiException.badRequest("field '" + field + "' must be a string");
    }
    return Optional.of(node.asText()).map(String::strip).filter(text -> !text.isEmpty());
  }

  static Optional<Long> optionalLong(JsonNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull() || (node.isTextual() && node.asText().isBlank())) {
      return Optional.empty();
    }
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return Optional.of(node.asLong());
    }
    if (node.isTextual()) {
      try {
        return Optional.of(Long.parseLong(node.asText().strip()));
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw ApiException.badRequest("field '" + field + "' must be a whole number");
  }

  static OptionalInt optionalInt(JsonNode body, String field, int min, int max) {
    Optional<Long> value = optionalLong(body, field);
    if (value.isEmpty()) {
      return OptionalInt.empty();
    }
    if (value.get() < min || value.get() > max) {
      throw ApiException.badRequest("field '" + field + "' must be between " + min + " and " + max + ", was " + value.get());
    }
    return OptionalInt.of(value.get().intValue());
  }

  /** An object of string values (numbers and booleans are taken as their text). */
  static Map<String, String> stringMap(JsonNode body, String field) {
    JsonNode node = body.get(field);
    Map<String, String> values = new LinkedHashMap<>();
    if (node == null || node.isNull()) {
      return values;
    }
    if (!node.isObject()) {
      throw ApiException.badRequest("field '" + field + "' must be an object of names to values");
    }
    for (var entry : node.properties()) {
      if (!entry.getValue().isValueNode() || entry.getValue().isNull()) {
        throw ApiException.badRequest("value of '" + entry.getKey() + "' in '" + field + "' must be a string");
      }
      values.put(entry.getKey(), entry.getValue().asText());
    }
    return values;
  }

  static List<String> stringList(JsonNode body, String field) {
    JsonNode node = body.get(field);
    List<String> values = new ArrayList<>();
    if (node == null || node.isNull()) {
      return values;
    }
    if (!node.isArray()) {
      throw ApiException.badRequest("field '" + field + "' must be an array of strings");
    }
    for (JsonNode element : node) {
      if (!element.isTextual()) {
        throw ApiException.badRequest("field '" + field + "' must be an array of strings");
      }
      values.add(element.asText());
    }
    return values;
  }
}
