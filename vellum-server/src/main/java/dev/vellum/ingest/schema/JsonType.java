package dev.vellum.ingest.schema;

import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/** The single-valued {@code type} keywords the base schema uses. */
enum JsonType {
  STRING("string", "a string"),
  OBJECT("object", "an object"),
  ARRAY("array", "an array"),
  NUMBER("number", "a number"),
  INTEGER("integer", "an integer");

  final String keywordValue;
  final String noun;

  JsonType(String keywordValue, String noun) {
    this.keywordValue = keywordValue;
    this.noun = noun;
  }

  boolean accepts(JsonNode n) {
    return switch (this) {
      case STRING -> n.isTextual();
      case OBJECT -> n.isObject();
      case ARRAY -> n.isArray();
      case NUMBER -> n.isNumber();
      // draft 2020-12 (and networknt): 1.0 is an integer, 1.5 and 1e400 (infinite) are not
      case INTEGER -> n.isIntegralNumber() || (n.isNumber() && n.canConvertToExactIntegral());
    };
  }

  /** The type named by a schema, or null when it is not one of these. */
  static @Nullable JsonType named(String name) {
    for (JsonType t : values()) {
      if (t.keywordValue.equals(name)) {
        return t;
      }
    }
    return null;
  }
}
