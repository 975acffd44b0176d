package dev.vellum.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reading events: search, single event, stats. Every successful read is itself recorded as an
 * AUDIT_LOG_ACCESSED event in the reader's tenant before the answer is sent.
 */
final class QueryRoutes {
  private final QueryService queries;
  private final IngestService ingest;
  private final ObjectMapper json;
  private final Clock clock;

  QueryRoutes(QueryService queries, IngestService ingest, ObjectMapper json, Clock clock) {
    this.queries = queries;
    this.ingest = ingest;
    this.json = json;
    this.clock = clock;
  }

  void register(RoutesConfig routes) {
    routes.get("/v1/events", this::search);
    routes.get("/v1/events/stats", this::stats);
    routes.get("/v1/events/{id}", this::byId);
  }

  private void search(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.EVENTS_READ);
    Map<String, List<String>> params = ctx.queryParamMap();
    SearchQuery filter;
    try {
      filter = FilterParser.parse(p.tenant(), params);
    } catch (FilterParser.BadParameter e) {
      throw ProblemException.badParameter(e.name(), e.getMessage());
    }
    QueryService.Page page = queries.search(filter);
    ingest.recordAccess(p, "events.search", FilterParser.describe(json, params),
        page.events().size());
    ctx.contentType("application/json").result(page.toJson());
  }

  private void byId(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.EVENTS_READ);
    String id = ctx.pathParam("id");
    Optional<StoredEvent> e = queries.byId(p.tenant(), id);
    ObjectNode filter = json.createObjectNode().put("id", id);
    ingest.recordAccess(p, "events.get", filter, e.isPresent() ? 1 : 0);
    if (e.isEmpty()) {
      throw ProblemException.notFound("no event with id " + id);
    }
    ctx.contentType("application/json").result(EventJson.render(e.get()));
  }

  private void stats(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.EVENTS_READ);
    for (String name : ctx.queryParamMap().keySet()) {
      if (!Set.of("from", "to", "interval", "group_by").contains(name)) {
        throw ProblemException.badParameter(name, "unknown parameter; known: from, to,"
            + " interval, group_by");
      }
    }
    long to = timeParam(ctx, "to", Times.micros(clock.instant()));
    long from = timeParam(ctx, "from", to - Duration.ofDays(1).toNanos() / 1000);
    long interval = intervalParam(ctx.queryParam("interval"));
    String groupBy = Optional.ofNullable(ctx.queryParam("group_by")).orElse("type");
    if (!Set.of("type", "outcome", "source", "category", "severity").contains(groupBy)) {
      throw ProblemException.badParameter("group_by",
          "must be one of type, outcome, source, category, severity");
    }
    if (from >= to) {
      throw ProblemException.badParameter("from", "must be before to");
    }
    from = Math.floorDiv(from, interval) * interval;
    if ((to - from) / interval > QueryService.MAX_BUCKETS) {
      throw ProblemException.badParameter("interval", "too many buckets; at most "
          + QueryService.MAX_BUCKETS + " per request");
    }
    List<QueryService.Bucket> buckets = queries.stats(p.tenant(), from, to, interval, groupBy);
    ObjectNode body = json.createObjectNode();
    body.put("from", Times.formatMicros(from));
    body.put("to", Times.formatMicros(to));
    body.put("interval", ctx.queryParam("interval") == null ? "1h" : ctx.queryParam("interval"));
    body.put("group_by", groupBy);
    ArrayNode out = body.putArray("buckets");
    long total = 0;
    for (QueryService.Bucket b : buckets) {
      ObjectNode o = out.addObject().put("start", b.start()).put("total", b.total());
      ObjectNode counts = o.putObject("counts");
      b.counts().forEach(counts::put);
      total += b.total();
    }
    body.put("total", total);
    ingest.recordAccess(p, "events.stats", FilterParser.describe(json, ctx.queryParamMap()),
        (int) Math.min(Integer.MAX_VALUE, total));
    ctx.contentType("application/json").result(body.toString());
  }

  private static long timeParam(Context ctx, String name, long fallback) {
    String v = ctx.queryParam(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Times.micros(Times.parse(v));
    } catch (IllegalArgumentException e) {
      throw ProblemException.badParameter(name, "must be an RFC 3339 date-time");
    }
  }

  /** Parses intervals such as 30s, 5m, 1h, 1d. */
  static long intervalParam(String v) {
    if (v == null) {
      return Duration.ofHours(1).toNanos() / 1000;
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("([1-9][0-9]{0,5})([smhd])")
        .matcher(v);
    if (!m.matches()) {
      throw ProblemException.badParameter("interval", "must be a number and a unit s, m, h or d,"
          + " such as 5m or 1h");
    }
    long n = Long.parseLong(m.group(1));
    Duration d = switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
    return d.toNanos() / 1000;
  }
}
