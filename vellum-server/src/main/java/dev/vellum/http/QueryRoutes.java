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
import dev.vellum.query.StatsParameters;
import dev.vellum.search.SearchQuery;
import dev.vellum.search.StatsQuery;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

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
      throw ProblemException.badParameter(
          e.name(), Objects.requireNonNull(e.getMessage(), "a BadParameter always says why"));
    }
    QueryService.Page page = queries.search(filter);
    ingest.recordAccess(
        p, "events.search", FilterParser.describe(json, params), page.events().size());
    markIfBehind(ctx, page);
    markIfArchived(ctx, page.archivedBefore());
    ctx.contentType("application/json").result(page.toJson());
  }

  /**
   * The index had not reached the tenant's last write when the bounded wait ended: the page may
   * miss the newest events, and the answer says so instead of passing as complete.
   */
  static void markIfBehind(Context ctx, QueryService.Page page) {
    markIfBehind(ctx, page.behindBy());
  }

  private static void markIfBehind(Context ctx, long behindBy) {
    if (behindBy > 0) {
      ctx.header(SEARCH_BEHIND_HEADER, Long.toString(behindBy));
    }
  }

  /**
   * Hot retention moved the tenant's events that occurred before this time to the archive: a search
   * or count whose range starts earlier may miss events the hot store no longer has (the analytics
   * API reads the archive).
   */
  /** The archive file an event was served from, when hot retention had deleted it. */
  static final String ARCHIVED_IN_HEADER = "Vellum-Archived-In";

  static final String ARCHIVED_BEFORE_HEADER = "Vellum-Archived-Before";

  /** Header for an answer whose time range reaches into archived time. */
  static void markIfArchived(Context ctx, @Nullable Long archivedBefore) {
    if (archivedBefore != null) {
      ctx.header(ARCHIVED_BEFORE_HEADER, Times.formatMicros(archivedBefore));
    }
  }

  /** Committed feed positions the search index had not reached when the page was read. */
  static final String SEARCH_BEHIND_HEADER = "Vellum-Search-Behind";

  private void byId(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.EVENTS_READ);
    String id = EventIds.lookupForm(ctx.pathParam("id"));
    Optional<QueryService.Found> e = queries.find(p.tenant(), id);
    ObjectNode filter = json.createObjectNode().put("id", id);
    ingest.recordAccess(p, "events.get", filter, e.isPresent() ? 1 : 0);
    if (e.isEmpty()) {
      throw ProblemException.notFound("no event with id " + id);
    }
    String archiveKey = e.get().archiveKey();
    String rendered = EventJson.render(e.get().event());
    if (archiveKey != null) {
      // served from the archive: the same JSON (the canonical event schema admits no other
      // member), marked by a header naming the file
      ctx.header(ARCHIVED_IN_HEADER, archiveKey);
    }
    ctx.contentType("application/json").result(rendered);
  }

  private void stats(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.EVENTS_READ);
    StatsParameters q;
    try {
      q = StatsParameters.parse(ctx.queryParamMap(), Times.micros(clock.instant()));
    } catch (FilterParser.BadParameter e) {
      throw ProblemException.badParameter(
          e.name(), Objects.requireNonNull(e.getMessage(), "a BadParameter always says why"));
    }
    long from = q.from();
    long to = q.to();
    String groupBy = q.groupBy();
    QueryService.Stats stats =
        queries.stats(
            new StatsQuery(p.tenant(), from, to, q.interval(), StatsQuery.Group.of(groupBy)));
    ObjectNode body = json.createObjectNode();
    body.put("from", Times.formatMicros(from));
    body.put("to", Times.formatMicros(to));
    body.put("interval", q.intervalText());
    body.put("group_by", groupBy);
    ArrayNode out = body.putArray("buckets");
    long total = 0;
    for (QueryService.Bucket b : stats.buckets()) {
      ObjectNode o = out.addObject().put("start", b.start()).put("total", b.total());
      ObjectNode counts = o.putObject("counts");
      b.counts().forEach(counts::put);
      total += b.total();
    }
    body.put("total", total);
    if (stats.archivedBefore() != null) {
      body.put("archived_before", Times.formatMicros(stats.archivedBefore()));
    }
    ingest.recordAccess(
        p,
        "events.stats",
        FilterParser.describe(json, ctx.queryParamMap()),
        (int) Math.min(Integer.MAX_VALUE, total));
    markIfBehind(ctx, stats.behindBy());
    markIfArchived(ctx, stats.archivedBefore());
    ctx.contentType("application/json").result(body.toString());
  }
}
