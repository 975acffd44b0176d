package dev.vellum.core.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The event-type catalogue shipped with Vellum: JSON Schema (draft 2020-12) files on the classpath.
 *
 * <ul>
 *   <li>{@code dev/vellum/catalog/event.json}: the base schema of the canonical event, {@code $id}
 *       {@value #BASE_SCHEMA_ID}.
 *   <li>{@code dev/vellum/catalog/types/<TYPE>.json}: one schema per type, {@code $id} {@code
 *       https://schemas.vellum.dev/types/<TYPE>.json}, which refers to the base schema by its
 *       {@code $id} and names its category in the root annotation {@value #CATEGORY_KEYWORD}.
 *   <li>{@code dev/vellum/catalog/index.json}: the list of type names.
 * </ul>
 *
 * <p>A validator resolves {@code https://schemas.vellum.dev/} either by registering the base schema
 * under its {@code $id}, or by mapping the prefix {@value #ID_PREFIX} to {@link #RESOURCE_ROOT} on
 * the classpath.
 */
public final class BuiltInCatalog {

  /** Prefix of every {@code $id} in the catalogue. */
  public static final String ID_PREFIX = "https://schemas.vellum.dev/";

  /** {@code $id} of the base (canonical event) schema. */
  public static final String BASE_SCHEMA_ID = ID_PREFIX + "event.json";

  /** Classpath folder (no leading slash) that {@link #ID_PREFIX} maps to. */
  public static final String RESOURCE_ROOT = "dev/vellum/catalog/";

  /** Root annotation naming the category of a type. */
  public static final String CATEGORY_KEYWORD = "x-vellum-category";

  /** Root annotation: outcome used when a producer does not say (compat mapper, samples). */
  public static final String DEFAULT_OUTCOME_KEYWORD = "x-vellum-default-outcome";

  /** Root annotation: severity used when a producer does not say (compat mapper, samples). */
  public static final String DEFAULT_SEVERITY_KEYWORD = "x-vellum-default-severity";

  private static final Pattern TYPE_NAME = Pattern.compile("[A-Z][A-Z0-9_]{0,127}");
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Map<String, String> TEXT_CACHE = new ConcurrentHashMap<>();
  private static final Map<String, JsonNode> NODE_CACHE = new ConcurrentHashMap<>();
  private static volatile @Nullable List<String> typeNames;

  private BuiltInCatalog() {}

  /** Names of all built-in event types, in catalogue order (grouped by category). */
  public static List<String> typeNames() {
    List<String> names = typeNames;
    if (names == null) {
      JsonNode index = parse(resourceText("index.json"));
      List<String> list = new ArrayList<>();
      for (JsonNode n : index) {
        list.add(n.asText());
      }
      names = Collections.unmodifiableList(list);
      typeNames = names;
    }
    return names;
  }

  /** Whether {@code type} is a built-in event type. */
  public static boolean contains(String type) {
    return type != null && typeNames().contains(type);
  }

  /** Text of the base schema ({@value #BASE_SCHEMA_ID}). */
  public static String baseSchemaText() {
    return resourceText("event.json");
  }

  /**
   * Text of the schema of a built-in type.
   *
   * @throws IllegalArgumentException when {@code type} is not a built-in type
   */
  public static String schemaText(String type) {
    if (type == null || !TYPE_NAME.matcher(type).matches() || !contains(type)) {
      throw new IllegalArgumentException("not a built-in event type: " + type);
    }
    return resourceText("types/" + type + ".json");
  }

  /** Parsed schema of a built-in type (shared instance: do not modify). */
  public static JsonNode schema(String type) {
    String text = schemaText(type);
    return NODE_CACHE.computeIfAbsent(type, t -> parse(text));
  }

  /** Category named by a type schema's {@value #CATEGORY_KEYWORD} annotation, or null if absent. */
  public static @Nullable String category(JsonNode schema) {
    return annotation(schema, CATEGORY_KEYWORD);
  }

  /** Category of a built-in type. */
  public static String categoryOf(String type) {
    return Objects.requireNonNull(
        category(schema(type)),
        () -> "built-in type " + type + " has no " + CATEGORY_KEYWORD + " annotation");
  }

  /**
   * Default outcome of a built-in type ({@value #DEFAULT_OUTCOME_KEYWORD}), "unknown" if absent.
   */
  public static String defaultOutcome(String type) {
    return Optional.ofNullable(annotation(schema(type), DEFAULT_OUTCOME_KEYWORD)).orElse("unknown");
  }

  /** Default severity of a built-in type ({@value #DEFAULT_SEVERITY_KEYWORD}), "info" if absent. */
  public static String defaultSeverity(String type) {
    return Optional.ofNullable(annotation(schema(type), DEFAULT_SEVERITY_KEYWORD)).orElse("info");
  }

  /**
   * Text of a catalogue resource named by its {@code $id} (e.g. {@value #BASE_SCHEMA_ID}), or null
   * when the id is not in the catalogue. Useful as a schema loader for a validator.
   */
  public static @Nullable String textForId(String id) {
    if (id == null || !id.startsWith(ID_PREFIX)) {
      return null;
    }
    String rel = id.substring(ID_PREFIX.length());
    if (rel.equals("event.json")) {
      return baseSchemaText();
    }
    if (rel.startsWith("types/") && rel.endsWith(".json")) {
      String type = rel.substring("types/".length(), rel.length() - ".json".length());
      return contains(type) ? schemaText(type) : null;
    }
    return null;
  }

  private static @Nullable String annotation(JsonNode schema, String keyword) {
    if (schema == null) {
      return null;
    }
    JsonNode n = schema.get(keyword);
    return n != null && n.isTextual() ? n.asText() : null;
  }

  private static JsonNode parse(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt built-in catalogue resource", e);
    }
  }

  private static String resourceText(String relative) {
    return TEXT_CACHE.computeIfAbsent(relative, BuiltInCatalog::load);
  }

  private static String load(String relative) {
    String path = RESOURCE_ROOT + relative;
    ClassLoader cl = BuiltInCatalog.class.getClassLoader();
    try (InputStream in = cl.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("built-in catalogue resource missing: " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }
}
