package dev.vellum.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.auth.ApiKeys;
import dev.vellum.auth.Principal;
import dev.vellum.auth.RateLimiter;
import dev.vellum.auth.Scope;
import dev.vellum.auth.Sources;
import dev.vellum.auth.Tenants;
import dev.vellum.config.VellumConfig;
import dev.vellum.core.event.FieldError;
import dev.vellum.ingest.EventTypeCatalog;
import dev.vellum.ingest.Times;
import dev.vellum.store.DirectoryStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Sources, event types, API keys with their usage plans, and tenants. Every change is also an audit
 * event in the tenant's log ({@link AdminAudit}).
 */
final class AdminRoutes {
  private final DirectoryStore directory;
  private final Sources sources;
  private final EventTypeCatalog catalog;
  private final ApiKeys keys;
  private final Tenants tenants;
  private final ObjectMapper json;
  private final Clock clock;
  private final AdminAudit audit;
  private final RateLimiter limiter;
  private final VellumConfig.RateLimit planDefaults;

  AdminRoutes(
      DirectoryStore directory,
      Sources sources,
      EventTypeCatalog catalog,
      ApiKeys keys,
      Tenants tenants,
      ObjectMapper json,
      Clock clock,
      AdminAudit audit,
      RateLimiter limiter,
      VellumConfig.RateLimit planDefaults) {
    this.audit = audit;
    this.limiter = limiter;
    this.planDefaults = planDefaults;
    this.directory = directory;
    this.sources = sources;
    this.catalog = catalog;
    this.keys = keys;
    this.tenants = tenants;
    this.json = json;
    this.clock = clock;
  }

  void register(RoutesConfig routes) {
    routes.get("/v1/sources", this::listSources);
    routes.put("/v1/sources/{code}", this::putSource);
    routes.get("/v1/event-types", this::listTypes);
    routes.get("/v1/event-types/{type}", this::getType);
    routes.put("/v1/event-types/{type}", this::putType);
    routes.get("/v1/keys", this::listKeys);
    routes.post("/v1/keys", this::createKey);
    routes.delete("/v1/keys/{id}", this::revokeKey);
    routes.put("/v1/keys/{id}/usage-plan", this::putUsagePlan);
    routes.post("/v1/tenants", this::createTenant);
  }

  private long now() {
    return Times.micros(clock.instant());
  }

  private void listSources(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.LOG_READ);
    ArrayNode out = json.createArrayNode();
    for (DirectoryStore.Source s : sources.list(p.tenant())) {
      out.add(render(s));
    }
    ctx.json(json.createObjectNode().set("sources", out));
  }

  private void putSource(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ADMIN);
    String code = ctx.pathParam("code");
    if (!code.matches(Sources.CODE_PATTERN)) {
      throw ProblemException.badParameter(
          "code", "source codes use letters, digits, '_', '-'" + " and '.', at most 64 characters");
    }
    if (Tenants.SYSTEM_SOURCE.equals(code)) {
      throw ProblemException.conflict("source " + code + " is reserved for the server");
    }
    byte[] raw = RequestContext.body(ctx);
    JsonNode body = raw.length == 0 ? json.createObjectNode() : RequestContext.jsonBody(ctx, json);
    List<FieldError> errors = new ArrayList<>();
    String name = optionalText(body, "name", errors);
    String description = optionalText(body, "description", errors);
    if (!errors.isEmpty()) {
      throw ProblemException.validation("invalid source", errors);
    }
    DirectoryStore.Source s =
        new DirectoryStore.Source(p.tenant(), code, name == null ? code : name, description, now());
    ObjectNode before = directory.source(p.tenant(), code).map(this::render).orElse(null);
    sources.register(s);
    ObjectNode after =
        render(
            sources.list(p.tenant()).stream()
                .filter(x -> x.code().equals(code))
                .findFirst()
                .orElse(s));
    audit.configurationChanged(p, p.tenant(), "sources", "source", code, before, after);
    ctx.json(after);
  }

  private ObjectNode render(DirectoryStore.Source s) {
    ObjectNode o = json.createObjectNode().put("code", s.code()).put("name", s.name());
    if (s.description() != null) {
      o.put("description", s.description());
    }
    return o.put("created_at", Times.formatMicros(s.createdAtMicros()));
  }

  private static @Nullable String optionalText(
      JsonNode body, String field, List<FieldError> errors) {
    if (!body.isObject()) {
      errors.add(new FieldError("", "body must be a JSON object"));
      return null;
    }
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual() || v.asText().length() > 500) {
      errors.add(new FieldError("/" + field, "must be a string of at most 500 characters"));
      return null;
    }
    return v.asText();
  }

  private void listTypes(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.LOG_READ);
    ArrayNode out = json.createArrayNode();
    for (EventTypeCatalog.TypeDef d : catalog.list(p.tenant())) {
      ObjectNode o = out.addObject().put("type", d.type()).put("category", d.category());
      if (d.title() != null) {
        o.put("title", d.title());
      }
      if (d.description() != null) {
        o.put("description", d.description());
      }
      o.put("built_in", d.builtIn());
    }
    ctx.json(json.createObjectNode().set("event_types", out));
  }

  private void getType(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.LOG_READ);
    String type = ctx.pathParam("type");
    EventTypeCatalog.TypeDef d =
        catalog
            .find(p.tenant(), type)
            .orElseThrow(() -> ProblemException.notFound("no event type " + type));
    ObjectNode o =
        json.createObjectNode()
            .put("type", d.type())
            .put("category", d.category())
            .put("built_in", d.builtIn());
    o.set("schema", d.schema());
    ctx.json(o);
  }

  private void putType(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ADMIN);
    String type = ctx.pathParam("type");
    if (catalog.isBuiltIn(type)) {
      throw ProblemException.conflict(
          type
              + " is a built-in type and cannot be replaced;"
              + " define a type with another name");
    }
    Optional<EventTypeCatalog.TypeDef> previous = catalog.find(p.tenant(), type);
    boolean existed = previous.isPresent();
    JsonNode schema = RequestContext.jsonBody(ctx, json);
    List<FieldError> problems = catalog.put(p.tenant(), type, schema, now());
    if (!problems.isEmpty()) {
      throw ProblemException.validation("the schema of " + type + " is not acceptable", problems);
    }
    audit.configurationChanged(
        p,
        p.tenant(),
        "event_types",
        "event_type",
        type,
        previous.map(d -> typeSummary(d.category(), d.schema())).orElse(null),
        typeSummary(schema.path("x-vellum-category").asText(), schema));
    ctx.status(existed ? 200 : 201);
    getType(ctx);
  }

  /** What an audit event says about a schema: its category and digest, not the whole text. */
  private ObjectNode typeSummary(String category, JsonNode schema) {
    try {
      byte[] digest =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(schema.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return json.createObjectNode()
          .put("category", category)
          .put("schema_sha256", java.util.HexFormat.of().formatHex(digest));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  private void listKeys(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ADMIN);
    ArrayNode out = json.createArrayNode();
    for (DirectoryStore.ApiKey k : directory.keys(p.tenant())) {
      out.add(render(k));
    }
    ctx.json(json.createObjectNode().set("keys", out));
  }

  private ObjectNode render(DirectoryStore.ApiKey k) {
    ObjectNode o = json.createObjectNode().put("id", k.id()).put("name", k.name());
    k.scopes().forEach(o.putArray("scopes")::add);
    k.sources().forEach(o.putArray("sources")::add);
    o.put("created_at", Times.formatMicros(k.createdAtMicros()));
    if (k.revokedAtMicros() != null) {
      o.put("revoked_at", Times.formatMicros(k.revokedAtMicros()));
    }
    o.set("usage_plan", render(directory.usagePlan(k.id()).orElse(null)));
    return o;
  }

  /** A key's plan, or the configured defaults (marked {@code "default": true}) when null. */
  private ObjectNode render(DirectoryStore.@Nullable UsagePlan plan) {
    ObjectNode o = json.createObjectNode();
    if (plan == null) {
      o.put("requests_per_second", planDefaults.requestsPerSecond())
          .put("burst", planDefaults.burst());
      if (planDefaults.quota() > 0) {
        o.put("quota", planDefaults.quota()).put("quota_period", planDefaults.quotaPeriod());
      }
      return o.put("default", true);
    }
    o.put("requests_per_second", plan.requestsPerSecond()).put("burst", plan.burst());
    if (plan.quota() != null) {
      o.put("quota", plan.quota()).put("quota_period", plan.quotaPeriod());
    }
    return o.put("default", false);
  }

  /**
   * Parses a usage plan ({@code requests_per_second}, {@code burst}, {@code quota}, {@code
   * quota_period}); members left out take the configured defaults, {@code "quota": null} or 0 means
   * no quota. Problems are added with pointers under {@code prefix}.
   */
  private DirectoryStore.@Nullable UsagePlan usagePlan(
      JsonNode body, String prefix, String tenant, String keyId, List<FieldError> errors) {
    if (!body.isObject()) {
      errors.add(
          new FieldError(
              prefix,
              "must be an object with requests_per_second, burst," + " quota and quota_period"));
      return null;
    }
    for (java.util.Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!Set.of("requests_per_second", "burst", "quota", "quota_period").contains(f)) {
        errors.add(new FieldError(prefix + "/" + f, "unknown member of a usage plan"));
      }
    }
    long rate =
        whole(body, "requests_per_second", prefix, 1, planDefaults.requestsPerSecond(), errors);
    long burst = whole(body, "burst", prefix, 1, planDefaults.burst(), errors);
    long quota =
        body.has("quota") && body.get("quota").isNull()
            ? 0
            : whole(body, "quota", prefix, 0, planDefaults.quota(), errors);
    String period = planDefaults.quotaPeriod();
    JsonNode pn = body.get("quota_period");
    if (pn != null && !pn.isNull()) {
      if (!pn.isTextual() || !Set.of("day", "month").contains(pn.asText())) {
        errors.add(new FieldError(prefix + "/quota_period", "must be day or month"));
      } else {
        period = pn.asText();
      }
    }
    return new DirectoryStore.UsagePlan(
        keyId, tenant, rate, burst, quota == 0 ? null : quota, quota == 0 ? null : period, now());
  }

  private static long whole(
      JsonNode body,
      String field,
      String prefix,
      long min,
      long fallback,
      List<FieldError> errors) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.canConvertToLong()
        || !v.isIntegralNumber()
        || v.asLong() < min
        || v.asLong() > 1_000_000_000_000L) {
      errors.add(
          new FieldError(prefix + "/" + field, "must be a whole number from " + min + " to 10^12"));
      return fallback;
    }
    return v.asLong();
  }

  private void putUsagePlan(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ADMIN);
    String keyId = ctx.pathParam("id");
    DirectoryStore.ApiKey key =
        directory.keys(p.tenant()).stream()
            .filter(k -> k.id().equals(keyId) && k.revokedAtMicros() == null)
            .findFirst()
            .orElseThrow(() -> ProblemException.notFound("no active key " + keyId));
    List<FieldError> errors = new ArrayList<>();
    DirectoryStore.UsagePlan plan =
        usagePlan(RequestContext.jsonBody(ctx, json), "", p.tenant(), key.id(), errors);
    if (!errors.isEmpty()) {
      throw ProblemException.validation("invalid usage plan", errors);
    }
    Objects.requireNonNull(plan, "a plan is null only with errors");
    ObjectNode before = render(directory.usagePlan(key.id()).orElse(null));
    directory.putUsagePlan(plan);
    limiter.planChanged(key.id());
    ObjectNode after = render(plan);
    audit.configurationChanged(p, p.tenant(), "usage_plans", "api_key", key.id(), before, after);
    ctx.json(render(key));
  }

  private void createKey(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ADMIN);
    JsonNode body = RequestContext.jsonBody(ctx, json);
    List<FieldError> errors = new ArrayList<>();
    String name = optionalText(body, "name", errors);
    if (name == null && errors.isEmpty()) {
      errors.add(new FieldError("/name", "is required"));
    }
    Set<Scope> scopes = new LinkedHashSet<>();
    for (String s : stringList(body, "scopes", errors)) {
      Optional<Scope> scope = Scope.parse(s);
      if (scope.isEmpty()) {
        errors.add(
            new FieldError(
                "/scopes",
                "unknown scope "
                    + s
                    + "; use events:write, events:read, log:read, analytics:read or admin"));
      } else {
        scopes.add(scope.get());
      }
    }
    if (scopes.isEmpty() && errors.isEmpty()) {
      errors.add(new FieldError("/scopes", "at least one scope is required"));
    }
    Set<String> allowed = new LinkedHashSet<>(stringList(body, "sources", errors));
    for (String s : allowed) {
      if (!s.equals("*") && !sources.isRegistered(p.tenant(), s)) {
        errors.add(new FieldError("/sources", "source " + s + " is not registered"));
      }
    }
    if (allowed.isEmpty()) {
      allowed.add("*");
    }
    JsonNode planBody = body.get("usage_plan");
    DirectoryStore.UsagePlan plan =
        planBody == null || planBody.isNull()
            ? null
            : usagePlan(planBody, "/usage_plan", p.tenant(), "", errors);
    if (!errors.isEmpty()) {
      throw ProblemException.validation("invalid key request", errors);
    }
    Objects.requireNonNull(name, "a missing name is one of the errors");
    ApiKeys.Issued issued = keys.create(p.tenant(), name, scopes, allowed, null, now());
    if (plan != null) {
      directory.putUsagePlan(
          new DirectoryStore.UsagePlan(
              issued.key().id(),
              p.tenant(),
              plan.requestsPerSecond(),
              plan.burst(),
              plan.quota(),
              plan.quotaPeriod(),
              now()));
    }
    audit.keyCreated(p, p.tenant(), issued.key().id(), name, issued.key().scopes());
    ObjectNode o = render(issued.key());
    o.put("api_key", issued.secret());
    ctx.status(201).json(o);
  }

  private static List<String> stringList(JsonNode body, String field, List<FieldError> errors) {
    JsonNode v = body.get(field);
    List<String> out = new ArrayList<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isArray()) {
      errors.add(new FieldError("/" + field, "must be an array of strings"));
      return out;
    }
    for (int i = 0; i < v.size(); i++) {
      if (!v.get(i).isTextual()) {
        errors.add(new FieldError("/" + field + "/" + i, "must be a string"));
      } else {
        out.add(v.get(i).asText());
      }
    }
    return out;
  }

  private void revokeKey(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ADMIN);
    if (!keys.revoke(p.tenant(), ctx.pathParam("id"), now())) {
      throw ProblemException.notFound("no active key " + ctx.pathParam("id"));
    }
    limiter.planChanged(ctx.pathParam("id"));
    audit.keyRevoked(p, p.tenant(), ctx.pathParam("id"));
    ctx.status(204);
  }

  private void createTenant(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ADMIN);
    if (!p.isSystemAdmin()) {
      throw ProblemException.forbidden(
          "only an admin key of the default tenant may create" + " tenants");
    }
    JsonNode body = RequestContext.jsonBody(ctx, json);
    List<FieldError> errors = new ArrayList<>();
    String id = optionalText(body, "id", errors);
    String name = optionalText(body, "name", errors);
    if (id == null || !id.matches(Tenants.ID_PATTERN)) {
      errors.add(new FieldError("/id", "required: lowercase letters, digits and '-', at most 63"));
    }
    if (!errors.isEmpty()) {
      throw ProblemException.validation("invalid tenant", errors);
    }
    Objects.requireNonNull(id, "a missing id is one of the errors");
    ApiKeys.Issued issued =
        tenants
            .create(id, name == null ? id : name, null, now())
            .orElseThrow(() -> ProblemException.conflict("tenant " + id + " already exists"));
    ObjectNode o = json.createObjectNode().put("id", id).put("name", name == null ? id : name);
    // in the creator's log and as the first event of the new tenant's own log
    audit.configurationChanged(p, p.tenant(), "tenants", "tenant", id, null, o.deepCopy());
    audit.configurationChanged(p, id, "tenants", "tenant", id, null, o.deepCopy());
    o.put("key_id", issued.key().id());
    o.put("api_key", issued.secret());
    ctx.status(201).json(o);
  }
}
