package dev.vellum.ingest.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.core.catalog.BuiltInCatalog;
import dev.vellum.core.event.FieldError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The base event schema ({@code event.json}) compiled into plain Java checks. Every event type
 * includes that schema, and checking it through networknt's general machinery was the largest CPU
 * cost of ingest; this does the same checks directly and reaches the same decisions.
 *
 * <p>It is compiled from the schema document itself and implements only the keywords that document
 * uses (type, required, properties, additionalProperties: false, items, minLength, maxLength,
 * pattern, string enum, format uuid/date-time/ipv4/ipv6, anyOf, minimum, maximum, maxItems,
 * uniqueItems, and the annotations title, description, $schema, $id and x-*). Compiling a schema
 * with anything else throws, so a change to the base schema fails at start-up instead of being
 * skipped. Immutable and thread-safe.
 */
public final class BaseSchemaValidator {
  private final Subschema root;

  private BaseSchemaValidator(Subschema root) {
    this.root = root;
  }

  /**
   * The validator of the shipped base schema.
   *
   * @throws IllegalArgumentException when the base schema uses a keyword not implemented here
   */
  public static BaseSchemaValidator forShippedBaseSchema() {
    try {
      return compile(new ObjectMapper().readTree(BuiltInCatalog.baseSchemaText()));
    } catch (IOException e) {
      throw new UncheckedIOException("the shipped base schema is not JSON", e);
    }
  }

  /**
   * Compiles a schema written in the base schema's keyword subset.
   *
   * @throws IllegalArgumentException naming the first keyword (and where) not implemented here
   */
  public static BaseSchemaValidator compile(JsonNode schema) {
    return new BaseSchemaValidator(new Subschema(schema, ""));
  }

  /**
   * What is wrong with {@code event}, each error naming a JSON pointer (RFC 6901) into it; for a
   * missing or unexpected member, the member's own pointer. Empty when the event is valid.
   */
  public List<FieldError> validate(JsonNode event) {
    List<FieldError> out = new ArrayList<>();
    root.validate(event, new Location(), out);
    return out;
  }
}
