package dev.vellum.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import dev.vellum.core.catalog.BuiltInCatalog;
import dev.vellum.core.event.FieldError;
import dev.vellum.store.DirectoryStore;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The event types a tenant may send: the built-in catalogue shipped in vellum-core plus the
 * tenant's own types. Each type is a JSON Schema (draft 2020-12) over the whole event that names
 * its category in the root annotation {@code x-vellum-category}.
 *
 * <p>Schemas never load anything from the network: the only {@code $ref} targets allowed outside
 * a schema are the shipped base schema and catalogue files, which are served from the classpath.
 */
public final class EventTypeCatalog {
  static final String BASE_IRI = "https://schemas.vellum.dev/event.json";
  private static final String TYPES_PREFIX = "https://schemas.vellum.dev/types/";

  /** One event type: its schema text and its compiled validator. */
  public record TypeDef(String type, String category, String title, String description,
      String defaultOutcome, String defaultSeverity, boolean builtIn, JsonNode schema,
      Schema validator) {}

  private final DirectoryStore directory;
  private final ObjectMapper json;
  private final SchemaRegistry registry;
  private final Map<String, TypeDef> builtIns = new ConcurrentHashMap<>();
  private final Map<String, Optional<TypeDef>> tenantTypes = new ConcurrentHashMap<>();
  private final List<String> builtInNames;

  public EventTypeCatalog(DirectoryStore directory, ObjectMapper json) {
    this.directory = directory;
    this.json = json;
    this.builtInNames = List.copyOf(BuiltInCatalog.typeNames());
    SchemaRegistryConfig config = SchemaRegistryConfig.builder()
        .formatAssertionsEnabled(true)
        .pathType(PathType.JSON_POINTER)
        .build();
    this.registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
        b -> b.schemaRegistryConfig(config).schemas(EventTypeCatalog::shippedSchema));
  }

  private static String shippedSchema(String iri) {
    if (BASE_IRI.equals(iri)) {
      return BuiltInCatalog.baseSchemaText();
    }
    if (iri.startsWith(TYPES_PREFIX) && iri.endsWith(".json")) {
      return BuiltInCatalog.schemaText(
          iri.substring(TYPES_PREFIX.length(), iri.length() - ".json".length()));
    }
    return null;
  }

  /** The tenant's own definition of {@code type} if it has one, else the built-in one. */
  public Optional<TypeDef> find(String tenant, String type) {
    Optional<TypeDef> own = tenantTypes.computeIfAbsent(key(tenant, type),
        k -> directory.eventType(tenant, type).map(t -> compile(t.type(), readTree(t.schema()),
            false)));
    if (own.isPresent()) {
      return own;
    }
    if (!builtInNames.contains(type)) {
      return Optional.empty();
    }
    return Optional.of(builtIns.computeIfAbsent(type,
        t -> compile(t, readTree(BuiltInCatalog.schemaText(t)), true)));
  }

  public boolean isBuiltIn(String type) {
    return builtInNames.contains(type);
  }

  /** Every type visible to the tenant, sorted by name. */
  public List<TypeDef> list(String tenant) {
    Map<String, TypeDef> all = new TreeMap<>();
    for (String name : builtInNames) {
      find(tenant, name).ifPresent(d -> all.put(name, d));
    }
    for (DirectoryStore.EventType t : directory.eventTypes(tenant)) {
      find(tenant, t.type()).ifPresent(d -> all.put(t.type(), d));
    }
    return new ArrayList<>(all.values());
  }

  /**
   * Checks a tenant-supplied schema and stores it. Returns the problems found, or an empty list
   * when it was stored.
   */
  public List<FieldError> put(String tenant, String type, JsonNode schema, long nowMicros) {
    List<FieldError> problems = checkSchemaDocument(type, schema);
    if (!problems.isEmpty()) {
      return problems;
    }
    try {
      compile(type, schema, false);
    } catch (RuntimeException e) {
      return List.of(new FieldError("", "schema does not compile: " + e.getMessage()));
    }
    directory.putEventType(new DirectoryStore.EventType(tenant, type,
        schema.path("x-vellum-category").asText(), schema.toString(), nowMicros));
    tenantTypes.remove(key(tenant, type));
    return List.of();
  }

  private static List<FieldError> checkSchemaDocument(String type, JsonNode schema) {
    List<FieldError> problems = new ArrayList<>();
    if (!schema.isObject()) {
      return List.of(new FieldError("", "a schema must be a JSON object"));
    }
    if (!type.matches("[A-Z][A-Z0-9_]{1,63}")) {
      problems.add(new FieldError("", "type names are UPPER_SNAKE_CASE, 2 to 64 characters"));
    }
    String category = schema.path("x-vellum-category").asText("");
    if (!category.matches("[a-z][a-z0-9_]{0,63}")) {
      problems.add(new FieldError("/x-vellum-category",
          "required: the category of the type, in lower_snake_case"));
    }
    JsonNode dialect = schema.get("$schema");
    if (dialect != null
        && !"https://json-schema.org/draft/2020-12/schema".equals(dialect.asText())) {
      problems.add(new FieldError("/$schema", "only JSON Schema draft 2020-12 is supported"));
    }
    collectForeignRefs(schema, "", problems);
    return problems;
  }

  private static void collectForeignRefs(JsonNode node, String pointer, List<FieldError> out) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        String child = pointer + "/" + f.getKey().replace("~", "~0").replace("/", "~1");
        if (("$ref".equals(f.getKey()) || "$dynamicRef".equals(f.getKey()))
            && f.getValue().isTextual() && !isAllowedRef(f.getValue().asText())) {
          out.add(new FieldError(child, "only local references (#...) and " + BASE_IRI
              + " may be referenced; Vellum never fetches schemas from the network"));
        }
        collectForeignRefs(f.getValue(), child, out);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collectForeignRefs(node.get(i), pointer + "/" + i, out);
      }
    }
  }

  private static boolean isAllowedRef(String ref) {
    return ref.startsWith("#") || ref.startsWith(BASE_IRI)
        || (ref.startsWith(TYPES_PREFIX) && shippedSchema(ref.split("#", 2)[0]) != null);
  }

  private TypeDef compile(String type, JsonNode schema, boolean builtIn) {
    Schema validator = registry.getSchema(schema);
    validator.initializeValidators();
    return new TypeDef(type, schema.path("x-vellum-category").asText(),
        schema.path("title").asText(null), schema.path("description").asText(null),
        schema.path("x-vellum-default-outcome").asText("unknown"),
        schema.path("x-vellum-default-severity").asText("info"), builtIn, schema, validator);
  }

  /** Validates an event against its type's schema; each error names a JSON pointer. */
  public static List<FieldError> validate(TypeDef def, JsonNode event) {
    List<FieldError> out = new ArrayList<>();
    for (Error e : def.validator().validate(event)) {
      String pointer = e.getInstanceLocation().toString();
      if (pointer.equals("/") || pointer.equals("#")) {
        pointer = "";
      }
      if (("required".equals(e.getKeyword()) || "additionalProperties".equals(e.getKeyword())
          || "unevaluatedProperties".equals(e.getKeyword())) && e.getProperty() != null) {
        pointer = pointer + "/" + e.getProperty();
      }
      out.add(new FieldError(pointer, e.getMessage()));
    }
    return out;
  }

  private JsonNode readTree(String text) {
    try {
      return json.readTree(text);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("stored schema is not JSON: " + e.getMessage(), e);
    }
  }

  private static String key(String tenant, String type) {
    return tenant + '\u0000' + type;
  }
}
