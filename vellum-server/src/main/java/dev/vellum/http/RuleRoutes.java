package dev.vellum.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.auth.Principal;
import dev.vellum.auth.Scope;
import dev.vellum.ingest.IngestService;
import dev.vellum.rules.RuleProblem;
import dev.vellum.rules.RuleService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.function.Supplier;

/**
 * A tenant's rules ({@code admin} to change, {@code events:read} to read), their dry run over
 * stored events, and the built-in detection packs. Every change is a CONFIGURATION_CHANGED event
 * (component {@code rules}) in the tenant's log; a dry run reads audit data and is recorded as
 * access.
 */
final class RuleRoutes {
  private final RuleService rules;
  private final IngestService ingest;
  private final AdminAudit audit;
  private final ObjectMapper json;

  RuleRoutes(RuleService rules, IngestService ingest, AdminAudit audit, ObjectMapper json) {
    this.rules = rules;
    this.ingest = ingest;
    this.audit = audit;
    this.json = json;
  }

  void register(RoutesConfig routes) {
    routes.get("/v1/rules", this::list);
    routes.post("/v1/rules", this::create);
    routes.post("/v1/rules/test", this::test);
    routes.get("/v1/rules/packs", this::packs);
    routes.post("/v1/rules/packs/{name}/enable", this::enablePack);
    routes.get("/v1/rules/{id}", this::get);
    routes.put("/v1/rules/{id}", this::put);
    routes.delete("/v1/rules/{id}", this::delete);
    routes.get("/v1/alarms/signals", this::signals);
  }

  /** The latest values of the signals the caller's tenant may watch in alarm rules. */
  private void signals(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.EVENTS_READ);
    ctx.json(rules.signals(p.tenant()));
  }

  /** Runs a call into the rules package, turning its problems into problem+json. */
  static <T> T call(Supplier<T> action) {
    try {
      return action.get();
    } catch (RuleProblem p) {
      String detail = String.valueOf(p.getMessage());
      throw switch (p.kind()) {
        case INVALID -> ProblemException.validation(detail, p.errors());
        case NOT_FOUND -> ProblemException.notFound(detail);
        case CONFLICT -> ProblemException.conflict(detail);
        case LIMIT ->
            new ProblemException(409, "limit-reached", "Limit reached", detail, null, null);
        case FORBIDDEN -> ProblemException.forbidden(detail);
      };
    }
  }

  private void list(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.EVENTS_READ);
    ArrayNode out = json.createArrayNode();
    rules.list(p.tenant()).forEach(out::add);
    ctx.json(json.createObjectNode().set("rules", out));
  }

  private void get(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.EVENTS_READ);
    ctx.json(call(() -> rules.get(p.tenant(), ctx.pathParam("id"))));
  }

  private void create(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ADMIN);
    JsonNode body = RequestContext.jsonBody(ctx, json);
    RuleService.Change c = call(() -> rules.create(p.tenant(), body));
    audit.configurationChanged(p, p.tenant(), "rules", "rule", c.id(), null, c.after());
    ctx.status(201).json(c.after());
  }

  private void put(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ADMIN);
    JsonNode body = RequestContext.jsonBody(ctx, json);
    RuleService.Change c = call(() -> rules.put(p.tenant(), ctx.pathParam("id"), body));
    audit.configurationChanged(p, p.tenant(), "rules", "rule", c.id(), c.before(), c.after());
    ctx.status(c.before() == null ? 201 : 200).json(c.after());
  }

  private void delete(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ADMIN);
    String id = ctx.pathParam("id");
    ObjectNode before = call(() -> rules.delete(p.tenant(), id));
    audit.configurationChanged(p, p.tenant(), "rules", "rule", id, before, json.nullNode());
    ctx.status(204);
  }

  private void test(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.EVENTS_READ);
    JsonNode body = RequestContext.jsonBody(ctx, json);
    RuleService.TestRun run = call(() -> rules.test(p.tenant(), body));
    ingest.recordAccess(p, "rules.test", run.filter(), run.eventsRead());
    ctx.json(run.result());
  }

  private void packs(Context ctx) {
    RequestContext.principal(ctx, Scope.EVENTS_READ);
    ctx.json(json.createObjectNode().set("packs", rules.packs()));
  }

  private void enablePack(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ADMIN);
    var created = call(() -> rules.enablePack(p.tenant(), ctx.pathParam("name")));
    ArrayNode out = json.createArrayNode();
    for (RuleService.Change c : created) {
      audit.configurationChanged(p, p.tenant(), "rules", "rule", c.id(), null, c.after());
      out.add(c.after());
    }
    ctx.json(json.createObjectNode().set("created", out));
  }
}
