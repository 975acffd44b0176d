package dev.vellum.core.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Test helper: validates events against the built-in catalogue with networknt, resolving {@code
 * https://schemas.vellum.dev/} to the classpath, format assertions on, JSON-pointer paths. Shared
 * by the catalogue, compat and sample tests.
 */
public final class CatalogValidator {

  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(
          SpecificationVersion.DRAFT_2020_12,
          builder ->
              builder
                  .schemaIdResolvers(
                      r ->
                          r.mapPrefix(
                              BuiltInCatalog.ID_PREFIX,
                              "classpath:" + BuiltInCatalog.RESOURCE_ROOT))
                  .schemaRegistryConfig(
                      SchemaRegistryConfig.builder()
                          .formatAssertionsEnabled(true)
                          .pathType(PathType.JSON_POINTER)
                          .build()));

  private static final Map<String, Schema> SCHEMAS = new ConcurrentHashMap<>();

  private CatalogValidator() {}

  /** The compiled schema of a built-in type. */
  public static Schema schema(String type) {
    return SCHEMAS.computeIfAbsent(
        type,
        t -> {
          Schema s =
              REGISTRY.getSchema(
                  SchemaLocation.of(BuiltInCatalog.ID_PREFIX + "types/" + t + ".json"));
          s.initializeValidators();
          return s;
        });
  }

  /** Validation errors of an event against the schema of its own {@code type}. */
  public static List<Error> validate(JsonNode event) {
    return validate(event.path("type").asText(), event);
  }

  public static List<Error> validate(String type, JsonNode event) {
    return schema(type).validate(event);
  }

  public static String describe(List<Error> errors) {
    return errors.stream()
        .map(e -> e.getInstanceLocation() + " [" + e.getKeyword() + "] " + e.getMessage())
        .collect(Collectors.joining("\n"));
  }

  /** Instance locations (JSON pointers) of the errors. */
  public static List<String> pointers(List<Error> errors) {
    return errors.stream()
        .map(e -> e.getInstanceLocation().toString())
        .collect(Collectors.toList());
  }
}
