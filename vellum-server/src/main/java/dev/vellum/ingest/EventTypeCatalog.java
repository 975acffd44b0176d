package dev.vellum.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import dev.vellum.core.catalog.BuiltInCatalog;
import dev.vellum.core.event.FieldError;
import dev.vellum.ingest.schema.BaseSchemaValidator;
import dev.vellum.store.DirectoryStore;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The event types a tenant may send: the built-in catalogue shipped in vellum-core plus the
 * tenant's own types. Each type is a JSON Schema (draft 2020-12) over the whole event that names
 * its category in the root annotation {@code x-vellum-category}.
 *
 * <p>Schemas never load anything from the network: the only {@code $ref} targets allowed outside a
 * schema are the shipped base schema and catalogue files, which are served from the classpath.
 *
 * <p>A type schema that extends the base schema in the usual way is validated in two parts: the
 * base schema by {@link BaseSchemaValidator} (plain Java, much cheaper than networknt's general
 * machinery) and the rest of the type schema by networknt. See {@link #withoutBaseRef}.
 *
 * <p>Memory is bounded whatever clients send: a lookup only reaches the compiled-schema cache when
 * the name is a built-in type or one of the tenant's own types (their names are cached per tenant),
 * so an unknown type name is never remembered. Both caches are bounded Caffeine caches and are
 * invalidated when the tenant puts a type.
 */
public final class EventTypeCatalog {
  static final String BASE_IRI = "https://schemas.vellum.dev/event.json";
  private static final String TYPES_PREFIX = "https://schemas.vellum.dev/types/";

  /** Keywords whose outcome depends on annotations the base schema produces: no split. */
  static final int MAX_CACHED_TENANTS = 10_000;

  static final int MAX_CACHED_TENANT_TYPES = 10_000;

  private static final Set<String> NEEDS_BASE_ANNOTATIONS =
      Set.of("unevaluatedProperties", "unevaluatedItems", "$dynamicRef", "$recursiveRef");

  /**
   * One event type: its schema (as written) and its compiled validators. {@code base} is null when
   * {@code validator} checks the whole schema; otherwise {@code validator} checks the type schema
   * without its reference to the base schema, which {@code base} checks.
   */
  public record TypeDef(
      String type,
      String category,
      String title,
      String description,
      String defaultOutcome,
      String defaultSeverity,
      boolean builtIn,
      JsonNode schema,
      @Nullable BaseSchemaValidator base,
      Schema validator) {}

  private final DirectoryStore directory;
  private final ObjectMapper json;
  private final SchemaRegistry registry;
  private final BaseSchemaValidator base;

  /** Compiled built-in types: keyed only by names of the shipped catalogue, so bounded. */
  private final Map<String, TypeDef> builtIns = new ConcurrentHashMap<>();

  /** Tenant → names of its own types. */
  private final Cache<String, Set<String>> tenantTypeNames =
      Caffeine.newBuilder().maximumSize(MAX_CACHED_TENANTS).build();

  /** (tenant, type) → compiled tenant type; only names found in {@link #tenantTypeNames}. */
  private final Cache<String, TypeDef> tenantTypes =
      Caffeine.newBuilder().maximumSize(MAX_CACHED_TENANT_TYPES).build();

  private final List<String> builtInNames;

  public EventTypeCatalog(DirectoryStore directory, ObjectMapper json) {
    this.directory = directory;
    this.json = json;
    this.builtInNames = List.copyOf(BuiltInCatalog.typeNames());
    this.registry = newSchemaRegistry();
    this.base = BaseSchemaValidator.forShippedBaseSchema(); // throws if event.json outgrew it
  }

  /**
   * A networknt registry configured as the catalogue's: draft 2020-12, formats asserted, JSON
   * pointer locations, and only the shipped schemas resolvable by IRI.
   */
  public static SchemaRegistry newSchemaRegistry() {
    SchemaRegistryConfig config =
        SchemaRegistryConfig.builder()
            .formatAssertionsEnabled(true)
            .pathType(PathType.JSON_POINTER)
            .build();
    return SchemaRegistry.withDefaultDialect(
        SpecificationVersion.DRAFT_2020_12,
        b -> b.schemaRegistryConfig(config).schemas(EventTypeCatalog::shippedSchema));
  }

  private static @Nullable String shippedSchema(String iri) {
    if (BASE_IRI.equals(iri)) {
      return BuiltInCatalog.baseSchemaText();
    }
    if (iri.startsWith(TYPES_PREFIX) && iri.endsWith(".json")) {
      String type = iri.substring(TYPES_PREFIX.length(), iri.length() - ".json".length());
      return BuiltInCatalog.contains(type) ? BuiltInCatalog.schemaText(type) : null;
    }
    return null;
  }

  /** The tenant's own definition of {@code type} if it has one, else the built-in one. */
  public Optional<TypeDef> find(String tenant, String type) {
    Set<String> own =
        tenantTypeNames.get(
            tenant,
            t ->
                directory.eventTypes(t).stream()
                    .map(DirectoryStore.EventType::type)
                    .collect(Collectors.toUnmodifiableSet()));
    if (own.contains(type)) {
      TypeDef def =
          tenantTypes.get(
              key(tenant, type),
              k ->
                  directory
                      .eventType(tenant, type)
                      .map(t -> compile(t.type(), readTree(t.schema()), false))
                      .orElse(null));
      if (def != null) {
        return Optional.of(def);
      }
    }
    if (!builtInNames.contains(type)) {
      return Optional.empty();
    }
    return Optional.of(
        builtIns.computeIfAbsent(
            type, t -> compile(t, readTree(BuiltInCatalog.schemaText(t)), true)));
  }

  /** Entries held by the caches, for tests that check memory stays bounded. */
  long cachedEntries() {
    tenantTypeNames.cleanUp();
    tenantTypes.cleanUp();
    return builtIns.size() + tenantTypeNames.estimatedSize() + tenantTypes.estimatedSize();
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
    directory.putEventType(
        new DirectoryStore.EventType(
            tenant, type, schema.path("x-vellum-category").asText(), schema.toString(), nowMicros));
    tenantTypes.invalidate(key(tenant, type));
    tenantTypeNames.invalidate(tenant);
    return List.of();
  }

  /** Drops the cached type of the tenant, changed on this node or another. */
  public void forget(String tenant, String type) {
    tenantTypes.invalidate(key(tenant, type));
    tenantTypeNames.invalidate(tenant);
  }

  /** Drops every cached tenant type: changes may have been missed. */
  public void forgetAll() {
    tenantTypes.invalidateAll();
    tenantTypeNames.invalidateAll();
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
      problems.add(
          new FieldError(
              "/x-vellum-category", "required: the category of the type, in lower_snake_case"));
    }
    JsonNode dialect = schema.get("$schema");
    if (dialect != null
        && !"https://json-schema.org/draft/2020-12/schema".equals(dialect.asText())) {
      problems.add(new FieldError("/$schema", "only JSON Schema draft 2020-12 is supported"));
    }
    collectForeignRefs(schema, "", problems);
    if (problems.isEmpty()) {
      problems.addAll(LocalSchemaRefs.check(schema));
    }
    return problems;
  }

  private static void collectForeignRefs(JsonNode node, String pointer, List<FieldError> out) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        String child = pointer + "/" + escape(f.getKey());
        if (("$ref".equals(f.getKey()) || "$dynamicRef".equals(f.getKey()))
            && f.getValue().isTextual()
            && !isAllowedRef(f.getValue().asText())) {
          String ref = f.getValue().asText();
          out.add(
              new FieldError(
                  child,
                  ref.startsWith(TYPES_PREFIX)
                      ? "no built-in event type at " + abbreviate(ref) + "; see GET /v1/event-types"
                      : "only local references (#...), "
                          + BASE_IRI
                          + " and built-in types ("
                          + TYPES_PREFIX
                          + "<TYPE>.json) may be referenced; Vellum never fetches"
                          + " schemas from the network"));
        }
        collectForeignRefs(f.getValue(), child, out);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collectForeignRefs(node.get(i), pointer + "/" + i, out);
      }
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 197) + "...";
  }

  private static boolean isAllowedRef(String ref) {
    return ref.startsWith("#")
        || ref.startsWith(BASE_IRI)
        || (ref.startsWith(TYPES_PREFIX) && shippedSchema(ref.split("#", 2)[0]) != null);
  }

  private TypeDef compile(String type, JsonNode schema, boolean builtIn) {
    ObjectNode rest = withoutBaseRef(schema);
    Schema validator = registry.getSchema(rest == null ? schema : rest);
    validator.initializeValidators();
    return new TypeDef(
        type,
        schema.path("x-vellum-category").asText(),
        schema.path("title").asText(null),
        schema.path("description").asText(null),
        schema.path("x-vellum-default-outcome").asText("unknown"),
        schema.path("x-vellum-default-severity").asText("info"),
        builtIn,
        schema,
        rest == null ? null : base,
        validator);
  }

  /**
   * A copy of {@code schema} without the elements {@code {"$ref": BASE_IRI}} of its root {@code
   * allOf} (and without {@code allOf} if nothing is left), or null when it has none or uses a
   * keyword that sees annotations ({@link #NEEDS_BASE_ANNOTATIONS}). allOf is a plain conjunction,
   * so the copy plus the base schema accept exactly what the schema accepts, as long as nothing
   * looks at which members the base schema evaluated.
   */
  static @Nullable ObjectNode withoutBaseRef(JsonNode schema) {
    if (!(schema.get("allOf") instanceof ArrayNode allOf)
        || usesAny(schema, NEEDS_BASE_ANNOTATIONS)) {
      return null;
    }
    int refs = 0;
    for (JsonNode element : allOf) {
      refs += isBaseRef(element) ? 1 : 0;
    }
    if (refs == 0) {
      return null;
    }
    ObjectNode copy = ((ObjectNode) schema).deepCopy();
    ArrayNode rest = (ArrayNode) copy.get("allOf");
    for (int i = rest.size() - 1; i >= 0; i--) {
      if (isBaseRef(rest.get(i))) {
        rest.remove(i);
      }
    }
    if (rest.isEmpty()) {
      copy.remove("allOf");
    }
    return copy;
  }

  private static boolean isBaseRef(JsonNode element) {
    return element.isObject()
        && element.size() == 1
        && BASE_IRI.equals(element.path("$ref").textValue());
  }

  private static boolean usesAny(JsonNode node, Set<String> keywords) {
    for (Map.Entry<String, JsonNode> f : node.properties()) {
      if (keywords.contains(f.getKey())) {
        return true;
      }
    }
    for (JsonNode child : node) {
      if (usesAny(child, keywords)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Validates an event against its type's schema; each error names a JSON pointer. Errors of the
   * base schema come first.
   */
  public static List<FieldError> validate(TypeDef def, JsonNode event) {
    List<FieldError> out = new ArrayList<>();
    if (def.base() != null) {
      out.addAll(def.base().validate(event));
    }
    try {
      for (Error e : def.validator().validate(event)) {
        out.add(new FieldError(pointerOf(e), e.getMessage()));
      }
    } catch (SchemaException e) {
      // a stored schema networknt cannot apply (put refuses the ones known to fail): the event
      // is rejected with the reason instead of failing the request, and the rest of the batch
      out.add(
          new FieldError(
              "", "the schema of type " + def.type() + " cannot be applied: " + e.getMessage()));
    }
    return out;
  }

  /**
   * The instance location of a networknt error; for a missing or unexpected member, the member's
   * own pointer (networknt locates those at the object and names the member separately).
   */
  static String pointerOf(Error e) {
    String pointer = e.getInstanceLocation().toString();
    if (pointer.equals("/") || pointer.equals("#")) {
      pointer = "";
    }
    if (("required".equals(e.getKeyword())
            || "additionalProperties".equals(e.getKeyword())
            || "unevaluatedProperties".equals(e.getKeyword()))
        && e.getProperty() != null) {
      pointer = pointer + "/" + escape(e.getProperty());
    }
    return pointer;
  }

  private static String escape(String member) {
    return member.replace("~", "~0").replace("/", "~1");
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
