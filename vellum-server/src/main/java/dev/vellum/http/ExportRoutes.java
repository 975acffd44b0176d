package dev.vellum.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.auth.Principal;
import dev.vellum.auth.Scope;
import dev.vellum.ingest.IngestService;
import dev.vellum.ingest.Times;
import dev.vellum.query.EventJson;
import dev.vellum.query.FilterParser;
import dev.vellum.query.QueryService;
import dev.vellum.search.SearchQuery;
import dev.vellum.store.StoredEvent;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /v1/events/export?format=csv|jsonl&<filters>}: every event matching a search, with no
 * row limit, streamed page by page (1,000 events at a time, keyset-paginated like a search), so the
 * server holds one page in memory however large the export. The export is recorded as an
 * AUDIT_LOG_ACCESSED event ({@code resource} {@code events.export}) when it ends, with the number
 * of events actually sent, also when the client went away part-way.
 *
 * <p>CSV follows RFC 4180 (CRLF, every field quoted when it holds a comma, quote or line break). A
 * cell that a spreadsheet would read as a formula (first character {@code = + - @}, tab or carriage
 * return) is prefixed with an apostrophe, as OWASP's "CSV injection" page advises, so {@code =cmd|'
 * /C calc'!A0} opens as text.
 */
final class ExportRoutes {
  static final int PAGE = 1_000;
  static final List<String> CSV_COLUMNS =
      List.of(
          "seq",
          "id",
          "occurred_at",
          "received_at",
          "type",
          "category",
          "source",
          "outcome",
          "severity",
          "actor_type",
          "actor_id",
          "actor_name",
          "actor_ip",
          "targets",
          "session_id",
          "request_id",
          "related_event_id",
          "reason",
          "tags",
          "changes",
          "metadata",
          "leaf_hash");

  private final QueryService queries;
  private final IngestService ingest;
  private final ObjectMapper json;

  ExportRoutes(QueryService queries, IngestService ingest, ObjectMapper json) {
    this.queries = queries;
    this.ingest = ingest;
    this.json = json;
  }

  void register(RoutesConfig routes) {
    routes.get("/v1/events/export", this::export);
  }

  private void export(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.EVENTS_READ);
    Map<String, List<String>> params = new LinkedHashMap<>(ctx.queryParamMap());
    List<String> formats = params.remove("format");
    if (formats == null
        || formats.size() != 1
        || !(formats.get(0).equals("csv") || formats.get(0).equals("jsonl"))) {
      throw ProblemException.badParameter("format", "required, once: csv or jsonl");
    }
    for (String banned : List.of("limit", "cursor")) {
      if (params.containsKey(banned)) {
        throw ProblemException.badParameter(
            banned, "an export has no pages: it streams every matching event");
      }
    }
    SearchQuery filter;
    try {
      filter = FilterParser.parse(p.tenant(), params);
    } catch (FilterParser.BadParameter e) {
      throw ProblemException.badParameter(
          e.name(), Objects.requireNonNull(e.getMessage(), "a BadParameter always says why"));
    }
    boolean csv = formats.get(0).equals("csv");
    // the first page runs before the headers are sent, so a failing search is still a problem
    QueryService.Page page = queries.search(withPage(filter, null));
    String stamp = Times.format(java.time.Instant.now()).replace(":", "");
    ctx.header(
        "Content-Disposition",
        "attachment; filename=\"vellum-events-" + stamp + (csv ? ".csv\"" : ".jsonl\""));
    ctx.header("Cache-Control", "no-store");
    QueryRoutes.markIfBehind(ctx, page);
    ctx.contentType(csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8");
    ctx.status(200);
    long sent = 0;
    try {
      Writer out =
          new BufferedWriter(
              new OutputStreamWriter(ctx.res().getOutputStream(), StandardCharsets.UTF_8),
              64 * 1024);
      if (csv) {
        writeRow(out, CSV_COLUMNS);
      }
      while (true) {
        for (StoredEvent e : page.events()) {
          if (csv) {
            writeRow(out, csvRow(e));
          } else {
            out.write(EventJson.render(e));
            out.write('\n');
          }
          sent++;
        }
        out.flush();
        if (page.nextCursor() == null || page.events().isEmpty()) {
          break;
        }
        StoredEvent last = page.events().get(page.events().size() - 1);
        page =
            queries.search(
                withPage(filter, new SearchQuery.Position(last.occurredAtMicros(), last.seq())));
      }
      out.flush();
    } catch (IOException e) {
      // the client went away; what was sent is recorded below
      throw new UncheckedIOException("export interrupted after " + sent + " events", e);
    } finally {
      ingest.recordAccess(
          p,
          "events.export",
          FilterParser.describe(json, ctx.queryParamMap()),
          (int) Math.min(Integer.MAX_VALUE, sent));
    }
  }

  private static SearchQuery withPage(SearchQuery q, SearchQuery.@Nullable Position after) {
    return new SearchQuery(
        q.tenant(),
        q.fromMicros(),
        q.toMicros(),
        q.types(),
        q.category(),
        q.source(),
        q.actorId(),
        q.actorIp(),
        q.targetType(),
        q.targetId(),
        q.outcome(),
        q.severity(),
        q.sessionId(),
        q.tag(),
        q.fullText(),
        q.ascending(),
        PAGE,
        after);
  }

  private List<String> csvRow(StoredEvent e) throws IOException {
    JsonNode b = json.readTree(e.body());
    JsonNode a = b.path("actor");
    StringBuilder targets = new StringBuilder();
    for (JsonNode t : b.path("targets")) {
      if (targets.length() > 0) {
        targets.append("; ");
      }
      targets.append(t.path("type").asText("")).append(':').append(t.path("id").asText(""));
    }
    StringBuilder tags = new StringBuilder();
    for (JsonNode t : b.path("tags")) {
      if (tags.length() > 0) {
        tags.append("; ");
      }
      tags.append(t.asText(""));
    }
    return List.of(
        Long.toString(e.seq()),
        e.id(),
        text(b, "occurred_at"),
        text(b, "received_at"),
        text(b, "type"),
        text(b, "category"),
        text(b, "source"),
        text(b, "outcome"),
        text(b, "severity"),
        text(a, "type"),
        text(a, "id"),
        text(a, "name"),
        text(a, "ip"),
        targets.toString(),
        text(b, "session_id"),
        text(b, "request_id"),
        text(b, "related_event_id"),
        text(b, "reason"),
        tags.toString(),
        b.has("changes") ? b.get("changes").toString() : "",
        b.has("metadata") ? b.get("metadata").toString() : "",
        Base64.getEncoder().encodeToString(e.leafHash()));
  }

  private static String text(JsonNode n, String member) {
    JsonNode v = n.path(member);
    return v.isMissingNode() || v.isNull() ? "" : v.isValueNode() ? v.asText() : v.toString();
  }

  private static void writeRow(Writer out, List<String> cells) throws IOException {
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      out.write(csvCell(cells.get(i)));
    }
    out.write("\r\n");
  }

  /** One CSV field, neutralised against formula injection and quoted when needed. */
  static String csvCell(String v) {
    if (v.isEmpty()) {
      return v;
    }
    char c = v.charAt(0);
    if (c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r') {
      v = "'" + v;
    }
    if (v.indexOf(',') >= 0
        || v.indexOf('"') >= 0
        || v.indexOf('\n') >= 0
        || v.indexOf('\r') >= 0) {
      return '"' + v.replace("\"", "\"\"") + '"';
    }
    return v;
  }
}
