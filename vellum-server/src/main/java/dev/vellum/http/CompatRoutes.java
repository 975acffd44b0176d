package dev.vellum.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.auth.Principal;
import dev.vellum.auth.Scope;
import dev.vellum.core.compat.MappingResult;
import dev.vellum.core.compat.ReferenceMapper;
import dev.vellum.core.event.FieldError;
import dev.vellum.ingest.IngestResult;
import dev.vellum.ingest.IngestService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The reference AWS design's endpoints, so its producers work unchanged: {@code POST
 * /v1/audit/store} (one flat payload, answers {@code {"auditId"}} as the reference does, and the
 * same id as {@code eventid}) and {@code POST /v1/audit/store-batch} (modelled on Firehose
 * PutRecordBatch). Payloads are mapped to canonical events and then take the same path as {@code
 * POST /v1/events}. Errors name the client's reference field, not the canonical member it maps to.
 */
final class CompatRoutes {
  static final int MAX_BATCH_RECORDS = 500;

  private final IngestService ingest;
  private final ObjectMapper json;
  private final ReferenceMapper mapper = new ReferenceMapper();

  CompatRoutes(IngestService ingest, ObjectMapper json) {
    this.ingest = ingest;
    this.json = json;
  }

  void register(RoutesConfig routes) {
    routes.post("/v1/audit/store", this::store);
    routes.post("/v1/audit/store-batch", this::storeBatch);
  }

  private void store(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.EVENTS_WRITE);
    JsonNode body = RequestContext.jsonBody(ctx, json);
    if (!body.isObject()) {
      throw ProblemException.badRequest(
          "body must be a JSON object", List.of(new FieldError("", "expected an object")));
    }
    MappingResult mapped = mapper.map((ObjectNode) body);
    if (!mapped.isSuccess()) {
      throw invalid(mapped.errors());
    }
    IngestResult r = ingest.ingest(p, List.of(mapped.event())).get(0);
    if (r.status() == IngestResult.Status.REJECTED) {
      if (r.forbidden()) {
        throw ProblemException.forbidden(
            "this API key may not send events for source "
                + body.path("initiatorsystemcode").asText());
      }
      throw invalid(toReferenceFields(r.errors()));
    }
    ctx.json(json.createObjectNode().put("auditId", r.id()).put("eventid", r.id()));
  }

  private void storeBatch(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.EVENTS_WRITE);
    JsonNode body = RequestContext.jsonBody(ctx, json);
    JsonNode records = body.path("records");
    if (!body.isObject() || !records.isArray()) {
      throw ProblemException.badRequest(
          "body must be {\"records\": [...]}",
          List.of(new FieldError("/records", "required: an array of reference payloads")));
    }
    if (records.isEmpty()) {
      throw ProblemException.badRequest(
          "records is empty", List.of(new FieldError("/records", "must hold at least one record")));
    }
    if (records.size() > MAX_BATCH_RECORDS) {
      throw ProblemException.tooLarge(
          "records must hold 1 to " + MAX_BATCH_RECORDS + " entries; got " + records.size());
    }
    ObjectNode[] answers = new ObjectNode[records.size()];
    List<JsonNode> events = new ArrayList<>();
    List<Integer> positions = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      JsonNode rec = records.get(i);
      MappingResult m =
          rec.isObject()
              ? mapper.map((ObjectNode) rec)
              : MappingResult.failure(
                  List.of(new FieldError("", "a record must be a JSON object")));
      if (m.isSuccess()) {
        events.add(m.event());
        positions.add(i);
      } else {
        answers[i] = failure(m.errors());
      }
    }
    List<IngestResult> results = events.isEmpty() ? List.of() : ingest.ingest(p, events);
    for (int k = 0; k < results.size(); k++) {
      IngestResult r = results.get(k);
      answers[positions.get(k)] =
          r.status() == IngestResult.Status.REJECTED
              ? failure(toReferenceFields(r.errors()))
              : json.createObjectNode().put("RecordId", r.id());
    }
    ObjectNode out = json.createObjectNode();
    int failed = 0;
    ArrayNode responses = json.createArrayNode();
    for (ObjectNode a : answers) {
      failed += a.has("ErrorCode") ? 1 : 0;
      responses.add(a);
    }
    out.put("FailedPutCount", failed);
    out.put("Encrypted", false);
    out.set("RequestResponses", responses);
    ctx.json(out);
  }

  private ObjectNode failure(List<FieldError> errors) {
    ObjectNode o = json.createObjectNode();
    o.put("ErrorCode", "ValidationError");
    o.put(
        "ErrorMessage",
        errors.stream()
            .map(e -> e.pointer() + ": " + e.detail())
            .collect(Collectors.joining("; ")));
    ArrayNode list = o.putArray("Errors");
    errors.forEach(e -> list.addObject().put("pointer", e.pointer()).put("detail", e.detail()));
    return o;
  }

  private static List<FieldError> toReferenceFields(List<FieldError> canonical) {
    List<FieldError> out = new ArrayList<>();
    for (FieldError e : canonical) {
      String field = ReferenceMapper.referenceFieldFor(e.pointer());
      out.add(new FieldError(field == null ? e.pointer() : field, e.detail()));
    }
    return out;
  }

  private static ProblemException invalid(List<FieldError> errors) {
    String fields =
        errors.stream()
            .map(FieldError::pointer)
            .distinct()
            .map(f -> f.startsWith("/") ? f.substring(1) : f)
            .collect(Collectors.joining(", "));
    return ProblemException.badRequest(
        "invalid reference audit payload; check field(s): " + fields, errors);
  }
}
