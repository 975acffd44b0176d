package dev.vellum.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.archive.HoldProblem;
import dev.vellum.archive.LegalHolds;
import dev.vellum.auth.Principal;
import dev.vellum.auth.Scope;
import dev.vellum.ingest.IngestService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.function.Supplier;

/**
 * A tenant's legal holds: {@code admin} places and releases them, {@code events:read} lists them
 * (who may read the log may know what it must keep). Placing and releasing are LEGAL_HOLD_PLACED
 * and LEGAL_HOLD_RELEASED events in the tenant's log, with the acting key as actor. A key only ever
 * sees its own tenant's holds: another tenant's hold id answers 404 like one that does not exist.
 */
final class HoldRoutes {
  private final LegalHolds holds;
  private final IngestService ingest;
  private final ObjectMapper json;

  HoldRoutes(LegalHolds holds, IngestService ingest, ObjectMapper json) {
    this.holds = holds;
    this.ingest = ingest;
    this.json = json;
  }

  void register(RoutesConfig routes) {
    routes.get("/v1/holds", this::list);
    routes.post("/v1/holds", this::place);
    routes.get("/v1/holds/{id}", this::get);
    routes.delete("/v1/holds/{id}", this::release);
  }

  private static <T> T call(Supplier<T> action) {
    try {
      return action.get();
    } catch (HoldProblem p) {
      String detail = String.valueOf(p.getMessage());
      throw switch (p.kind()) {
        case INVALID -> ProblemException.validation(detail, p.errors());
        case NOT_FOUND -> ProblemException.notFound(detail);
        case LIMIT ->
            new ProblemException(409, "limit-reached", "Limit reached", detail, null, null);
      };
    }
  }

  private void list(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.EVENTS_READ);
    ArrayNode out = json.createArrayNode();
    holds.list(p.tenant()).forEach(h -> out.add(h.toJson(json)));
    ctx.json(json.createObjectNode().set("holds", out));
  }

  private void get(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.EVENTS_READ);
    String id = ctx.pathParam("id");
    LegalHolds.Hold h =
        holds
            .get(p.tenant(), id)
            .orElseThrow(() -> ProblemException.notFound("no legal hold " + id));
    ctx.json(h.toJson(json));
  }

  private void place(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ADMIN);
    JsonNode body = RequestContext.jsonBody(ctx, json);
    LegalHolds.Hold h = call(() -> holds.place(p.tenant(), body, p.keyId()));
    ingest.recordAdminChange(
        p, p.tenant(), "LEGAL_HOLD_PLACED", new String[] {"legal_hold", h.id()}, event(h), null);
    ctx.status(201).json(h.toJson(json));
  }

  private void release(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ADMIN);
    String id = ctx.pathParam("id");
    call(
        () ->
            holds.release(
                p.tenant(),
                id,
                h ->
                    ingest.recordAdminChange(
                        p,
                        p.tenant(),
                        "LEGAL_HOLD_RELEASED",
                        new String[] {"legal_hold", h.id()},
                        event(h),
                        null)));
    ctx.status(204);
  }

  /** The hold as the events' metadata: the catalogue names {@code hold_id}, not {@code id}. */
  private ObjectNode event(LegalHolds.Hold h) {
    ObjectNode md = h.toJson(json);
    md.set("hold_id", md.remove("id"));
    md.remove("placed_at");
    md.remove("placed_by");
    return md;
  }
}
