package dev.vellum.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.auth.Principal;
import dev.vellum.auth.Scope;
import dev.vellum.core.event.FieldError;
import dev.vellum.ingest.Times;
import dev.vellum.notify.Channels;
import dev.vellum.notify.NotifyException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.List;

/**
 * Notification channels of the caller's tenant: admins create and delete them, admins and {@code
 * events:read} keys list them. A webhook's signing secret is in the create answer only. Every
 * change is a CONFIGURATION_CHANGED event (component {@code channels}) in the tenant's log, without
 * the secret.
 */
final class ChannelRoutes {
  private final Channels channels;
  private final AdminAudit audit;
  private final ObjectMapper json;
  private final Clock clock;

  ChannelRoutes(Channels channels, AdminAudit audit, ObjectMapper json, Clock clock) {
    this.channels = channels;
    this.audit = audit;
    this.json = json;
    this.clock = clock;
  }

  void register(RoutesConfig routes) {
    routes.post("/v1/channels", this::create);
    routes.get("/v1/channels", this::list);
    routes.get("/v1/channels/{id}", this::get);
    routes.delete("/v1/channels/{id}", this::delete);
  }

  private void create(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ADMIN);
    Channels.Created c;
    try {
      c =
          channels.create(
              p.tenant(), RequestContext.jsonBody(ctx, json), Times.micros(clock.instant()));
    } catch (NotifyException e) {
      throw problem(e);
    }
    String id = c.view().path("id").asText();
    audit.configurationChanged(p, p.tenant(), "channels", "channel", id, null, c.view());
    ObjectNode out = c.view().deepCopy();
    if (c.secret() != null) {
      // shown once: only its holder can verify signatures, and Vellum never returns it again
      out.put("secret", c.secret());
    }
    ctx.status(201).header("Location", "/v1/channels/" + id).json(out);
  }

  private void list(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.EVENTS_READ);
    ArrayNode out = json.createArrayNode();
    channels.list(p.tenant()).forEach(out::add);
    ctx.json(json.createObjectNode().set("channels", out));
  }

  private void get(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.EVENTS_READ);
    String id = ctx.pathParam("id");
    ctx.json(
        channels
            .get(p.tenant(), id)
            .orElseThrow(() -> ProblemException.notFound("no channel " + id)));
  }

  private void delete(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ADMIN);
    String id = ctx.pathParam("id");
    ObjectNode before =
        channels
            .delete(p.tenant(), id)
            .orElseThrow(() -> ProblemException.notFound("no channel " + id));
    audit.configurationChanged(p, p.tenant(), "channels", "channel", id, before, json.nullNode());
    ctx.status(204);
  }

  /** The one mapping of the notify capability's refusals to problem+json. */
  static ProblemException problem(NotifyException e) {
    String detail = String.valueOf(e.getMessage());
    switch (e.kind()) {
      case NOT_FOUND:
        return ProblemException.notFound(detail);
      case CONFLICT:
        return ProblemException.conflict(detail);
      default:
        return ProblemException.validation(
            (e.pointer().isEmpty() ? "" : e.pointer().substring(1) + ": ") + detail,
            List.of(new FieldError(e.pointer(), detail)));
    }
  }
}
