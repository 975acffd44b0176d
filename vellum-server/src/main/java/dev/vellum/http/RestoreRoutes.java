package dev.vellum.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.archive.Restores;
import dev.vellum.auth.Principal;
import dev.vellum.auth.Scope;
import dev.vellum.core.event.FieldError;
import dev.vellum.ingest.Times;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Restores of archived events into the hot store (docs/archive.md), scope {@code admin}: {@code
 * POST /v1/archive/restores} with {@code from}, {@code to} and optionally {@code until} (and {@code
 * tenant}, which must be the key's) restores the caller's tenant's archived events of that {@code
 * occurred_at} range and answers what it restored; {@code GET /v1/archive/restores} lists the
 * tenant's restores, oldest first.
 */
final class RestoreRoutes {
  private static final Set<String> FIELDS = Set.of("tenant", "from", "to", "until");
  private static final int MAX_LIMIT = 100;

  private final @Nullable Restores restores;
  private final ObjectMapper json;

  RestoreRoutes(@Nullable Restores restores, ObjectMapper json) {
    this.restores = restores;
    this.json = json;
  }

  void register(RoutesConfig routes) {
    routes.post("/v1/archive/restores", this::restore);
    routes.get("/v1/archive/restores", this::list);
  }

  private Restores restores() {
    if (restores == null) {
      throw ProblemException.conflict("the archive is not enabled on this node (archive.enabled)");
    }
    return restores;
  }

  private void restore(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ADMIN);
    Restores service = restores();
    JsonNode body = RequestContext.jsonBody(ctx, json);
    List<FieldError> errors = new ArrayList<>();
    if (!body.isObject()) {
      throw ProblemException.validation(
          "the body must be a JSON object", List.of(new FieldError("", "must be an object")));
    }
    for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        errors.add(new FieldError("/" + name, "unknown member; known: tenant, from, to, until"));
      }
    }
    // optional, for callers that name the tenant they mean (the CLI's --tenant): a key restores
    // its own tenant's archive only
    JsonNode tenant = body.get("tenant");
    if (tenant != null && !tenant.isNull() && !tenant.asText().equals(p.tenant())) {
      throw ProblemException.forbidden(
          "this API key is of tenant "
              + p.tenant()
              + ", not "
              + tenant.asText()
              + ": a tenant restores only its own archive");
    }
    Instant from = time(body, "from", true, errors);
    Instant to = time(body, "to", true, errors);
    Instant until = time(body, "until", false, errors);
    if (!errors.isEmpty()) {
      throw ProblemException.validation("invalid restore", errors);
    }
    ObjectNode done;
    try {
      done =
          service.restore(
              p.tenant(),
              p.keyId(),
              Objects.requireNonNull(from, "checked above"),
              Objects.requireNonNull(to, "checked above"),
              until);
    } catch (Restores.InvalidRequest e) {
      String detail = Objects.requireNonNullElse(e.getMessage(), "invalid");
      throw ProblemException.validation(
          "invalid restore: " + e.field() + " " + detail,
          List.of(new FieldError("/" + e.field(), detail)));
    } catch (Restores.ArchiveMismatch e) {
      throw new ProblemException(
          409,
          "archive-mismatch",
          "The archive does not match",
          "restore refused, nothing was restored: " + e.getMessage(),
          null,
          null);
    } catch (IllegalArgumentException e) {
      // another restore of the same events committed first (another node): nothing was written
      throw ProblemException.conflict(
          "restore refused, nothing was restored: " + e.getMessage() + "; try again");
    } catch (IOException e) {
      throw new ProblemException(
          503,
          "archive-unavailable",
          "The archive cannot be read",
          "restore failed, nothing was restored: " + e.getMessage(),
          null,
          null);
    }
    ctx.status(201).json(done);
  }

  private void list(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ADMIN);
    Restores service = restores();
    String after = ctx.queryParam("after");
    if (after != null && (after.isEmpty() || after.length() > 200)) {
      throw ProblemException.badParameter("after", "must be a restore id (1..200 characters)");
    }
    int limit = 50;
    String text = ctx.queryParam("limit");
    if (text != null) {
      try {
        limit = Integer.parseInt(text);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > MAX_LIMIT) {
        throw ProblemException.badParameter("limit", "must be an integer 1.." + MAX_LIMIT);
      }
    }
    List<JsonNode> items = service.list(p.tenant(), after == null ? "" : after, limit);
    ObjectNode o = json.createObjectNode();
    o.putArray("restores").addAll(items);
    if (items.size() == limit) {
      o.put("next_after", items.get(items.size() - 1).path("restore_id").asText());
    } else {
      o.putNull("next_after");
    }
    ctx.json(o);
  }

  private static @Nullable Instant time(
      JsonNode body, String field, boolean required, List<FieldError> errors) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        errors.add(new FieldError("/" + field, "is required (RFC 3339 time)"));
      }
      return null;
    }
    if (!v.isTextual()) {
      errors.add(new FieldError("/" + field, "must be an RFC 3339 time string"));
      return null;
    }
    try {
      return Times.parse(v.asText());
    } catch (IllegalArgumentException e) {
      errors.add(
          new FieldError(
              "/" + field, Objects.requireNonNullElse(e.getMessage(), "is not an RFC 3339 time")));
      return null;
    }
  }
}
