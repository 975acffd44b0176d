package dev.vellum.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.auth.Principal;
import dev.vellum.auth.Scope;
import dev.vellum.ingest.IngestService;
import dev.vellum.rules.RuleService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Set;

/**
 * The alerts the rules raised: listing (oldest first, cursor paging, optional status), one alert,
 * and acknowledging. Alerts name the events that triggered them, so reading them is a read of audit
 * data and is recorded as access; an acknowledgement is an ALERT_ACKNOWLEDGED event.
 */
final class AlertRoutes {
  private static final Set<String> STATUSES = Set.of("firing", "resolved", "acknowledged");
  private static final int MAX_NOTE = 1000;

  private final RuleService rules;
  private final IngestService ingest;
  private final ObjectMapper json;

  AlertRoutes(RuleService rules, IngestService ingest, ObjectMapper json) {
    this.rules = rules;
    this.ingest = ingest;
    this.json = json;
  }

  void register(RoutesConfig routes) {
    routes.get("/v1/alerts", this::list);
    routes.get("/v1/alerts/{id}", this::get);
    routes.post("/v1/alerts/{id}/ack", this::ack);
  }

  private void list(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.EVENTS_READ);
    String status = ctx.queryParam("status");
    if (status != null && !STATUSES.contains(status)) {
      throw ProblemException.badParameter("status", "must be firing, resolved or acknowledged");
    }
    String cursor = ctx.queryParam("cursor");
    if (cursor != null && !cursor.matches("alr_[0-9a-f]{13}_[0-9a-f]{20}")) {
      throw ProblemException.badParameter("cursor", "is not a cursor this server gave out");
    }
    int limit = 100;
    String l = ctx.queryParam("limit");
    if (l != null) {
      try {
        limit = Integer.parseInt(l);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > RuleService.MAX_ALERT_PAGE) {
        throw ProblemException.badParameter(
            "limit", "must be an integer in 1.." + RuleService.MAX_ALERT_PAGE);
      }
    }
    int n = limit;
    RuleService.AlertPage page = RuleRoutes.call(() -> rules.alerts(p.tenant(), status, cursor, n));
    ObjectNode filter = json.createObjectNode();
    if (status != null) {
      filter.put("status", status);
    }
    ingest.recordAccess(p, "alerts.list", filter, page.alerts().size());
    ObjectNode out = json.createObjectNode();
    out.set("alerts", page.alerts());
    if (page.nextCursor() == null) {
      out.putNull("next_cursor");
    } else {
      out.put("next_cursor", page.nextCursor());
    }
    ctx.json(out);
  }

  private void get(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.EVENTS_READ);
    String id = ctx.pathParam("id");
    ObjectNode alert = RuleRoutes.call(() -> rules.alert(p.tenant(), id));
    ingest.recordAccess(p, "alerts.get", json.createObjectNode().put("id", id), 1);
    ctx.json(alert);
  }

  private void ack(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ADMIN);
    String id = ctx.pathParam("id");
    byte[] raw = RequestContext.body(ctx);
    String note = null;
    if (raw.length > 0) {
      JsonNode body = RequestContext.jsonBody(ctx, json);
      JsonNode n = body.get("note");
      if (!body.isObject()
          || (n != null && !n.isNull() && (!n.isTextual() || n.asText().length() > MAX_NOTE))) {
        throw ProblemException.validation(
            "invalid acknowledgement",
            java.util.List.of(
                new dev.vellum.core.event.FieldError(
                    "/note", "must be a string of at most " + MAX_NOTE + " characters")));
      }
      note = n == null || n.isNull() ? null : n.asText();
    }
    String finalNote = note;
    ctx.json(RuleRoutes.call(() -> rules.acknowledge(p.tenant(), id, p.keyId(), finalNote)));
  }
}
