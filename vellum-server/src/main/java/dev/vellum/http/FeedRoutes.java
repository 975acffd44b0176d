package dev.vellum.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.auth.Principal;
import dev.vellum.auth.Scope;
import dev.vellum.feed.ConsumerStatus;
import dev.vellum.feed.Consumers;
import dev.vellum.ingest.Times;
import dev.vellum.store.DeadLetter;
import dev.vellum.store.EventStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * The node's committed-event feed consumers, for operators: state, position, lag and dead letters.
 * Consumers are node-wide, so only admin keys of the default tenant may look.
 */
final class FeedRoutes {
  private static final int MAX_DEAD_LETTERS = 100;

  private final Consumers consumers;
  private final EventStore store;
  private final ObjectMapper json;

  FeedRoutes(Consumers consumers, EventStore store, ObjectMapper json) {
    this.consumers = consumers;
    this.store = store;
    this.json = json;
  }

  void register(RoutesConfig routes) {
    routes.get("/v1/admin/consumers", this::list);
    routes.get("/v1/admin/consumers/{name}/dead-letters", this::deadLetters);
  }

  private static void requireOperator(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ADMIN);
    if (!p.isSystemAdmin()) {
      throw ProblemException.forbidden(
          "only an admin key of the default tenant may see the" + " node's feed consumers");
    }
  }

  private void list(Context ctx) {
    requireOperator(ctx);
    ObjectNode out = json.createObjectNode();
    ArrayNode list = out.putArray("consumers");
    for (ConsumerStatus s : consumers.statuses()) {
      ObjectNode o = list.addObject();
      o.put("name", s.name());
      o.put("state", s.state().name().toLowerCase(java.util.Locale.ROOT));
      o.put("position", s.position());
      o.put("lag_events", s.lagEvents());
      o.put("lag_seconds", s.lagSeconds());
      o.put("dead_letters", s.deadLetters());
      o.put("last_error", s.lastError());
      o.put("failing", s.failing());
    }
    ctx.json(out);
  }

  private void deadLetters(Context ctx) {
    requireOperator(ctx);
    String name = ctx.pathParam("name");
    if (consumers.statuses().stream().noneMatch(s -> s.name().equals(name))) {
      throw ProblemException.notFound("no feed consumer named " + name);
    }
    ObjectNode out = json.createObjectNode();
    ArrayNode list = out.putArray("dead_letters");
    for (DeadLetter d : store.deadLetters(name, MAX_DEAD_LETTERS)) {
      list.addObject()
          .put("position", d.position())
          .put("tenant", d.tenant())
          .put("seq", d.seq())
          .put("event_id", d.eventId())
          .put("error", d.error())
          .put("attempts", d.attempts())
          .put("failed_at", Times.formatMicros(d.failedAtMicros()));
    }
    ctx.json(out);
  }
}
