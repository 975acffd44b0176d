package dev.vellum.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.auth.Principal;
import dev.vellum.auth.Scope;
import dev.vellum.config.VellumConfig;
import dev.vellum.core.event.FieldError;
import dev.vellum.ingest.IngestResult;
import dev.vellum.ingest.IngestService;
import dev.vellum.log.TransparencyLog;
import dev.vellum.store.StoredCheckpoint;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** {@code POST /v1/events}: one event or an array of them. */
final class IngestRoutes {
  private final IngestService ingest;
  private final ObjectMapper json;
  private final VellumConfig.Ingest limits;
  private final TransparencyLog log;

  IngestRoutes(
      IngestService ingest, ObjectMapper json, VellumConfig.Ingest limits, TransparencyLog log) {
    this.log = log;
    this.ingest = ingest;
    this.json = json;
    this.limits = limits;
  }

  void register(RoutesConfig routes) {
    routes.post("/v1/events", this::postEvents);
  }

  private void postEvents(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.EVENTS_WRITE);
    // every parameter is checked before the body is read, so a bad one never follows a store
    String wait = ctx.queryParam("wait_for_checkpoint");
    if (wait != null && !wait.equals("true") && !wait.equals("false")) {
      throw ProblemException.badParameter("wait_for_checkpoint", "must be true or false");
    }
    RequestContext.requireJson(ctx);
    List<SizedEvents.Sized> events =
        SizedEvents.read(RequestContext.body(ctx), json, limits.maxEventsPerRequest());
    List<IngestResult> results = ingestSized(p, events);
    ObjectNode body = json.createObjectNode();
    ArrayNode out = body.putArray("results");
    int rejected = 0;
    boolean allForbidden = true;
    long maxSeq = -1;
    for (IngestResult r : results) {
      out.add(render(r));
      if (r.status() == IngestResult.Status.REJECTED) {
        rejected++;
        allForbidden &= r.forbidden();
      } else if (r.seq() != null) {
        maxSeq = Math.max(maxSeq, r.seq());
      }
    }
    if (rejected == results.size() && allForbidden) {
      throw ProblemException.forbidden(
          "this API key may not send events for the source(s) named" + " in this request");
    }
    if (maxSeq >= 0 && "true".equals(wait)) {
      body.put("checkpoint", awaitCheckpoint(p.tenant(), maxSeq + 1));
    }
    int status = rejected == 0 ? 200 : rejected == results.size() ? 422 : 207;
    ctx.status(status).contentType("application/json").result(body.toString());
  }

  /**
   * The note of a signed checkpoint covering the first {@code size} leaves, or null if none came
   * within 30 s. The events are durable either way, so the answer stays a success: an error here
   * would invite a retry that, without client ids, stores the events twice.
   */
  private @Nullable String awaitCheckpoint(String tenant, long size) {
    try {
      return log.awaitCheckpoint(tenant, size, Duration.ofSeconds(30))
          .map(StoredCheckpoint::note)
          .orElse(null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Events over the per-event size limit are rejected on their own; the rest go on. */
  private List<IngestResult> ingestSized(Principal p, List<SizedEvents.Sized> events) {
    List<JsonNode> small = new ArrayList<>(events.size());
    for (SizedEvents.Sized e : events) {
      if (e.bytes() <= limits.maxEventBytes()) {
        small.add(e.event());
      }
    }
    List<IngestResult> partial = small.isEmpty() ? List.of() : ingest.ingest(p, small);
    List<IngestResult> all = new ArrayList<>(events.size());
    int k = 0;
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).bytes() > limits.maxEventBytes()) {
        all.add(
            new IngestResult(
                i,
                null,
                null,
                null,
                IngestResult.Status.REJECTED,
                List.of(
                    new FieldError(
                        "", "event is larger than " + limits.maxEventBytes() + " bytes")),
                false));
      } else {
        IngestResult r = partial.get(k++);
        all.add(
            new IngestResult(
                i, r.id(), r.seq(), r.leafHash(), r.status(), r.errors(), r.forbidden()));
      }
    }
    return all;
  }

  private ObjectNode render(IngestResult r) {
    ObjectNode o = json.createObjectNode();
    o.put("index", r.index());
    if (r.id() != null) {
      o.put("id", r.id());
    }
    if (r.seq() != null) {
      o.put("seq", r.seq());
      o.put("leaf_hash", Base64.getEncoder().encodeToString(r.leafHash()));
    }
    o.put("status", r.status().name().toLowerCase(Locale.ROOT));
    if (!r.errors().isEmpty()) {
      ArrayNode errors = o.putArray("errors");
      for (FieldError f : r.errors()) {
        errors.addObject().put("pointer", f.pointer()).put("detail", f.detail());
      }
    }
    return o;
  }
}
