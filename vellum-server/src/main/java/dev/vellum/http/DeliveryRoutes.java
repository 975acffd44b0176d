package dev.vellum.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.auth.Principal;
import dev.vellum.auth.Scope;
import dev.vellum.ingest.IngestService;
import dev.vellum.ingest.Times;
import dev.vellum.notify.Deliveries;
import dev.vellum.notify.NotifyException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;

/**
 * Deliveries of the caller's tenant: listed by status with cursor paging (a read of audit-derived
 * data, so it is recorded as AUDIT_LOG_ACCESSED), and replayed by admins.
 */
final class DeliveryRoutes {
  private static final int DEFAULT_LIMIT = 50;

  private final Deliveries deliveries;
  private final IngestService ingest;
  private final ObjectMapper json;
  private final Clock clock;

  DeliveryRoutes(Deliveries deliveries, IngestService ingest, ObjectMapper json, Clock clock) {
    this.deliveries = deliveries;
    this.ingest = ingest;
    this.json = json;
    this.clock = clock;
  }

  void register(RoutesConfig routes) {
    routes.get("/v1/deliveries", this::list);
    routes.get("/v1/deliveries/{id}", this::get);
    routes.post("/v1/deliveries/{id}/replay", this::replay);
  }

  private void list(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.EVENTS_READ);
    String status = ctx.queryParam("status");
    String cursor = ctx.queryParam("cursor");
    int limit = limit(ctx.queryParam("limit"));
    Deliveries.Page page;
    try {
      page = deliveries.list(p.tenant(), status, cursor, limit);
    } catch (NotifyException e) {
      throw ProblemException.badParameter(e.pointer().substring(1), String.valueOf(e.getMessage()));
    }
    ObjectNode filter = json.createObjectNode().put("limit", limit);
    if (status != null) {
      filter.put("status", status);
    }
    ingest.recordAccess(p, "deliveries", filter, page.items().size());
    ObjectNode out = json.createObjectNode();
    ArrayNode items = out.putArray("deliveries");
    page.items().forEach(items::add);
    if (page.next() != null) {
      out.put("next_cursor", page.next());
    } else {
      out.putNull("next_cursor");
    }
    ctx.json(out);
  }

  private void get(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.EVENTS_READ);
    String id = ctx.pathParam("id");
    ObjectNode d =
        deliveries
            .get(p.tenant(), id)
            .orElseThrow(() -> ProblemException.notFound("no delivery " + id));
    ingest.recordAccess(p, "deliveries", json.createObjectNode().put("id", id), 1);
    ctx.json(d);
  }

  private void replay(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ADMIN);
    try {
      ctx.status(202)
          .json(deliveries.replay(p.tenant(), ctx.pathParam("id"), Times.micros(clock.instant())));
    } catch (NotifyException e) {
      throw ChannelRoutes.problem(e);
    }
  }

  private static int limit(String text) {
    if (text == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int n = Integer.parseInt(text.strip());
      if (n >= 1 && n <= Deliveries.MAX_LIMIT) {
        return n;
      }
    } catch (NumberFormatException e) {
      // the message below says what is accepted
    }
    throw ProblemException.badParameter("limit", "must be an integer 1.." + Deliveries.MAX_LIMIT);
  }
}
