package dev.vellum.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.analytics.Analytics;
import dev.vellum.analytics.AnalyticsException;
import dev.vellum.analytics.QueryResult;
import dev.vellum.analytics.SavedQueries;
import dev.vellum.auth.Principal;
import dev.vellum.auth.Scope;
import dev.vellum.core.event.FieldError;
import dev.vellum.ingest.IngestService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * SQL analytics: {@code POST /v1/analytics/query} runs one read-only SELECT over the view {@code
 * events} of the caller's tenant (JSON or CSV), and saved queries under {@code
 * /v1/analytics/queries}. Every query that reaches the engine, refused or not, is recorded as an
 * AUDIT_LOG_ACCESSED event (resource {@code analytics}) with its SQL, bounded, and the number of
 * rows returned.
 */
final class AnalyticsRoutes {
  /** How much of the SQL text the access event keeps. */
  static final int AUDIT_SQL_CHARS = 2_000;

  private final Analytics analytics;
  private final IngestService ingest;
  private final ObjectMapper json;

  AnalyticsRoutes(Analytics analytics, IngestService ingest, ObjectMapper json) {
    this.analytics = analytics;
    this.ingest = ingest;
    this.json = json;
  }

  void register(RoutesConfig routes) {
    routes.post("/v1/analytics/query", this::query);
    routes.post("/v1/analytics/queries", this::save);
    routes.get("/v1/analytics/queries", this::list);
    routes.get("/v1/analytics/queries/{id}", this::get);
    routes.delete("/v1/analytics/queries/{id}", this::delete);
    routes.post("/v1/analytics/queries/{id}/run", this::runSaved);
  }

  private void query(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ANALYTICS_READ);
    JsonNode body = RequestContext.jsonBody(ctx, json);
    List<FieldError> errors = new ArrayList<>();
    String sql = text(body, "sql", analytics.settings().maxSqlChars(), true, errors);
    Options o = options(body, errors);
    if (!errors.isEmpty()) {
      throw ProblemException.validation("invalid analytics query", errors);
    }
    execute(ctx, p, java.util.Objects.requireNonNull(sql, "checked above"), o, null);
  }

  private void runSaved(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ANALYTICS_READ);
    String id = ctx.pathParam("id");
    SavedQueries.SavedQuery q =
        analytics
            .savedQueries()
            .get(p.tenant(), id)
            .orElseThrow(() -> ProblemException.notFound("no saved query " + id));
    JsonNode body =
        RequestContext.body(ctx).length == 0
            ? json.createObjectNode()
            : RequestContext.jsonBody(ctx, json);
    List<FieldError> errors = new ArrayList<>();
    Options o = options(body, errors);
    if (!errors.isEmpty()) {
      throw ProblemException.validation("invalid run options", errors);
    }
    execute(ctx, p, q.sql(), o, q.id());
  }

  /** Runs the query, records the access (also when refused or failed), writes the answer. */
  private void execute(Context ctx, Principal p, String sql, Options o, @Nullable String savedId) {
    ObjectNode filter = json.createObjectNode();
    filter.put(
        "sql", sql.length() > AUDIT_SQL_CHARS ? sql.substring(0, AUDIT_SQL_CHARS) + "…" : sql);
    if (savedId != null) {
      filter.put("saved_query_id", savedId);
    }
    QueryResult r;
    try {
      r = analytics.query(p.tenant(), sql, o.timeoutMillis(), o.maxRows());
    } catch (AnalyticsException e) {
      filter.put("error", e.kind().name().toLowerCase(java.util.Locale.ROOT));
      ingest.recordAccess(p, "analytics", filter, 0);
      throw problem(e);
    }
    if (r.truncated() != null) {
      filter.put("truncated", r.truncated());
    }
    ingest.recordAccess(p, "analytics", filter, r.rows().size());
    ctx.header("Cache-Control", "no-store");
    ctx.header("X-Vellum-Rows", Integer.toString(r.rows().size()));
    if (r.truncated() != null) {
      ctx.header("X-Vellum-Truncated", r.truncated());
    }
    if (!r.coverage().complete()) {
      ctx.header(
          "X-Vellum-Hot-Incomplete",
          r.coverage().hotLoaded() + " of " + r.coverage().hotUnarchived());
    }
    if (o.csv()) {
      ctx.contentType("text/csv; charset=utf-8");
      ctx.result(csv(r));
    } else {
      ctx.json(render(r));
    }
  }

  private ObjectNode render(QueryResult r) {
    ObjectNode o = json.createObjectNode();
    ArrayNode cols = o.putArray("columns");
    r.columns().forEach(c -> cols.addObject().put("name", c.name()).put("type", c.type()));
    ArrayNode rows = o.putArray("rows");
    for (List<@Nullable Object> row : r.rows()) {
      ArrayNode a = rows.addArray();
      row.forEach(cell -> a.add(json.valueToTree(cell)));
    }
    o.put("row_count", r.rows().size());
    o.put("truncated", r.truncated() != null);
    if (r.truncated() != null) {
      o.put("truncated_by", r.truncated());
    }
    ObjectNode cov = o.putObject("coverage");
    cov.put("archive_files", r.coverage().archiveFiles());
    cov.put("hot_events_loaded", r.coverage().hotLoaded());
    cov.put("hot_events_unarchived", r.coverage().hotUnarchived());
    cov.put("complete", r.coverage().complete());
    o.put("elapsed_ms", r.elapsedMillis());
    return o;
  }

  private static String csv(QueryResult r) {
    StringBuilder b = new StringBuilder();
    List<String> names = r.columns().stream().map(QueryResult.Column::name).toList();
    b.append(String.join(",", names.stream().map(ExportRoutes::csvCell).toList())).append("\r\n");
    for (List<@Nullable Object> row : r.rows()) {
      for (int i = 0; i < row.size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        Object cell = row.get(i);
        if (cell instanceof Number || cell instanceof Boolean) {
          b.append(cell);
        } else if (cell != null) {
          b.append(ExportRoutes.csvCell(cell.toString()));
        }
      }
      b.append("\r\n");
    }
    return b.toString();
  }

  private void save(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ANALYTICS_READ);
    JsonNode body = RequestContext.jsonBody(ctx, json);
    List<FieldError> errors = new ArrayList<>();
    String name = text(body, "name", SavedQueries.MAX_NAME, true, errors);
    String description = text(body, "description", SavedQueries.MAX_DESCRIPTION, false, errors);
    String sql = text(body, "sql", analytics.settings().maxSqlChars(), true, errors);
    if (!errors.isEmpty() || name == null || sql == null) {
      throw ProblemException.validation("invalid saved query", errors);
    }
    SavedQueries.SavedQuery q;
    try {
      q = analytics.savedQueries().create(p.tenant(), name, description, sql, p.keyId());
    } catch (AnalyticsException e) {
      throw problem(e);
    }
    ctx.status(201);
    ctx.header("Location", "/v1/analytics/queries/" + q.id());
    ctx.json(analytics.savedQueries().render(q));
  }

  private void list(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ANALYTICS_READ);
    ObjectNode o = json.createObjectNode();
    ArrayNode a = o.putArray("queries");
    analytics
        .savedQueries()
        .list(p.tenant())
        .forEach(q -> a.add(analytics.savedQueries().render(q)));
    ctx.json(o);
  }

  private void get(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ANALYTICS_READ);
    String id = ctx.pathParam("id");
    ctx.json(
        analytics
            .savedQueries()
            .render(
                analytics
                    .savedQueries()
                    .get(p.tenant(), id)
                    .orElseThrow(() -> ProblemException.notFound("no saved query " + id))));
  }

  private void delete(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.ANALYTICS_READ);
    String id = ctx.pathParam("id");
    if (!analytics.savedQueries().delete(p.tenant(), id)) {
      throw ProblemException.notFound("no saved query " + id);
    }
    ctx.status(204);
  }

  /** What a request may set about its run: the format and lower limits. */
  private record Options(boolean csv, long timeoutMillis, int maxRows) {}

  private Options options(JsonNode body, List<FieldError> errors) {
    if (!body.isObject()) {
      errors.add(new FieldError("", "must be a JSON object"));
      return new Options(false, 0, 0);
    }
    String format = text(body, "format", 10, false, errors);
    if (format != null && !format.equals("json") && !format.equals("csv")) {
      errors.add(new FieldError("/format", "must be json or csv"));
    }
    long timeout = bounded(body, "timeout_ms", analytics.settings().timeout().toMillis(), errors);
    long rows = bounded(body, "max_rows", analytics.settings().maxRows(), errors);
    return new Options("csv".equals(format), timeout, (int) rows);
  }

  private static long bounded(JsonNode body, String field, long max, List<FieldError> errors) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return 0;
    }
    if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > max) {
      errors.add(new FieldError("/" + field, "must be a whole number from 1 to " + max));
      return 0;
    }
    return v.asLong();
  }

  private static @Nullable String text(
      JsonNode body, String field, int max, boolean required, List<FieldError> errors) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        errors.add(new FieldError("/" + field, "is required"));
      }
      return null;
    }
    if (!v.isTextual() || v.textValue().isBlank()) {
      errors.add(new FieldError("/" + field, "must be a non-empty string"));
      return null;
    }
    if (v.textValue().length() > max) {
      errors.add(new FieldError("/" + field, "must be at most " + max + " characters"));
      return null;
    }
    return v.textValue();
  }

  private static ProblemException problem(AnalyticsException e) {
    String detail = e.getMessage();
    return switch (e.kind()) {
      case REFUSED ->
          new ProblemException(
              400,
              "analytics-refused",
              "Query refused",
              detail,
              List.of(new FieldError("/sql", detail)),
              null);
      case FAILED ->
          new ProblemException(422, "analytics-failed", "Query failed", detail, null, null);
      case TIMED_OUT ->
          new ProblemException(422, "analytics-timeout", "Query timed out", detail, null, null);
      case TENANT_BUSY ->
          new ProblemException(
              429,
              "analytics-busy",
              "Too many analytics queries",
              detail,
              null,
              Map.of("Retry-After", "1"));
      case BUSY -> ProblemException.unavailable(detail, 1);
      case NOT_FOUND -> ProblemException.notFound(detail);
      case CONFLICT -> ProblemException.conflict(detail);
    };
  }
}
