package dev.vellum.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.auth.ApiKeys;
import dev.vellum.auth.Principal;
import dev.vellum.auth.Scope;
import dev.vellum.auth.Sources;
import dev.vellum.auth.Tenants;
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
import java.util.Optional;
import java.util.Set;

/** Sources, event types, API keys and tenants. */
final class AdminRoutes {
  private final DirectoryStore directory;
  private final Sources sources;
  private final EventTypeCatalog catalog;
  private final ApiKeys keys;
  private final Tenants tenants;
  private final ObjectMapper json;
  private final Clock clock;

  AdminRoutes(DirectoryStore directory, Sources sources, EventTypeCatalog catalog, ApiKeys keys,
      Tenants tenants, ObjectMapper json, Clock clock) {
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
      throw ProblemException.badParameter("code", "source codes use letters, digits, '_', '-'"
          + " and '.', at most 64 characters");
    }
    if (Tenants.SYSTEM_SOURCE.equals(code)) {
      throw ProblemException.conflict("source " + code + " is reserved for the server");
    }
    byte[] raw = RequestContext.body(ctx);
    JsonNode body = raw.length == 0 ? json.createObjectNode()
        : RequestContext.jsonBody(ctx, json);
    List<FieldError> errors = new ArrayList<>();
    String name = optionalText(body, "name", errors);
    String description = optionalText(body, "description", errors);
    if (!errors.isEmpty()) {
      throw ProblemException.validation("invalid source", errors);
    }
    DirectoryStore.Source s = new DirectoryStore.Source(p.tenant(), code,
        name == null ? code : name, description, now());
    sources.register(s);
    ctx.json(render(sources.list(p.tenant()).stream().filter(x -> x.code().equals(code))
        .findFirst().orElse(s)));
  }

  private ObjectNode render(DirectoryStore.Source s) {
    ObjectNode o = json.createObjectNode().put("code", s.code()).put("name", s.name());
    if (s.description() != null) {
      o.put("description", s.description());
    }
    return o.put("created_at", Times.formatMicros(s.createdAtMicros()));
  }

  private static String optionalText(JsonNode body, String field, List<FieldError> errors) {
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
    EventTypeCatalog.TypeDef d = catalog.find(p.tenant(), type)
        .orElseThrow(() -> ProblemException.notFound("no event type " + type));
    ObjectNode o = json.createObjectNode().put("type", d.type()).put("category", d.category())
        .put("built_in", d.builtIn());
    o.set("schema", d.schema());
    ctx.json(o);
  }

  private void putType(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ADMIN);
    String type = ctx.pathParam("type");
    if (catalog.isBuiltIn(type)) {
      throw ProblemException.conflict(type + " is a built-in type and cannot be replaced;"
          + " define a type with another name");
    }
    boolean existed = catalog.find(p.tenant(), type).isPresent();
    List<FieldError> problems = catalog.put(p.tenant(), type, RequestContext.jsonBody(ctx, json),
        now());
    if (!problems.isEmpty()) {
      throw ProblemException.validation("the schema of " + type + " is not acceptable", problems);
    }
    ctx.status(existed ? 200 : 201);
    getType(ctx);
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
    return o;
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
        errors.add(new FieldError("/scopes", "unknown scope " + s
            + "; use events:write, events:read, log:read or admin"));
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
    if (!errors.isEmpty()) {
      throw ProblemException.validation("invalid key request", errors);
    }
    ApiKeys.Issued issued = keys.create(p.tenant(), name, scopes, allowed, null, now());
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
    ctx.status(204);
  }

  private void createTenant(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ADMIN);
    if (!p.isSystemAdmin()) {
      throw ProblemException.forbidden("only an admin key of the default tenant may create"
          + " tenants");
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
    ApiKeys.Issued issued = tenants.create(id, name == null ? id : name, null, now())
        .orElseThrow(() -> ProblemException.conflict("tenant " + id + " already exists"));
    ObjectNode o = json.createObjectNode().put("id", id).put("name", name == null ? id : name);
    o.put("key_id", issued.key().id());
    o.put("api_key", issued.secret());
    ctx.status(201).json(o);
  }
}
