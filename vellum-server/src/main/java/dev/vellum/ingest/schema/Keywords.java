package dev.vellum.ingest.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads keyword values while compiling, refusing any form {@link Subschema} does not implement (a
 * union type, {@code additionalProperties: true}, a numeric enum...) rather than guessing.
 */
final class Keywords {
  private Keywords() {}

  static IllegalArgumentException unsupported(String at, String what) {
    return new IllegalArgumentException(
        "base schema: unsupported "
            + what
            + " at "
            + (at.isEmpty() ? "the root" : at)
            + "; BaseSchemaValidator implements only the keywords"
            + " the base schema used when it was written, so extend it before the schema");
  }

  static <T> T require(@Nullable T value, String at, String keyword) {
    if (value == null) {
      throw unsupported(at, "value of " + keyword);
    }
    return value;
  }

  static void requireObject(JsonNode v, String at) {
    if (!v.isObject()) {
      throw unsupported(at, "non-object schema or value");
    }
  }

  static void requireNonEmptyArray(JsonNode v, String at) {
    if (!v.isArray() || v.isEmpty()) {
      throw unsupported(at, "value (a non-empty array is expected)");
    }
  }

  static String text(JsonNode v, String at) {
    if (!v.isTextual()) {
      throw unsupported(at, "non-string value");
    }
    return v.textValue();
  }

  static List<String> texts(JsonNode v, String at) {
    requireNonEmptyArray(v, at);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      out.add(text(v.get(i), at + "/" + i));
    }
    return List.copyOf(out);
  }

  static boolean bool(JsonNode v, String at) {
    if (!v.isBoolean()) {
      throw unsupported(at, "non-boolean value");
    }
    return v.booleanValue();
  }

  /** additionalProperties: only {@code false} (closing the object) is implemented. */
  static boolean requireFalse(JsonNode v, String at) {
    if (!v.isBoolean() || v.booleanValue()) {
      throw unsupported(at, "value of additionalProperties (only false)");
    }
    return true;
  }

  static int count(JsonNode v, String at) {
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
      throw unsupported(at, "value (a non-negative integer is expected)");
    }
    return v.intValue();
  }

  static BigDecimal number(JsonNode v, String at) {
    if (!v.isNumber() || (v.isFloatingPointNumber() && !Double.isFinite(v.doubleValue()))) {
      throw unsupported(at, "value (a finite number is expected)");
    }
    return v.decimalValue();
  }
}
