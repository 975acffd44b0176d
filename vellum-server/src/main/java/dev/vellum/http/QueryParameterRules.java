package dev.vellum.http;

import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The query parameters each {@code /v1} route accepts, checked before its handler runs so that a
 * typo or an unknown parameter is a 400 before anything is read or stored. Values are checked by
 * the handlers, also before they read or store. A route not listed here accepts no query
 * parameters: a new route that takes some must be added, which its tests will show.
 */
final class QueryParameterRules {
  /** Routes whose handler validates names and values itself, with a richer message. */
  private static final Set<String> SELF_CHECKED =
      Set.of(
          "GET /v1/events",
          "GET /v1/events/stats",
          "GET /v1/events/export",
          "GET /v1/events/stream");

  private static final Map<String, Set<String>> ALLOWED =
      Map.of(
          "POST /v1/events", Set.of("wait_for_checkpoint"),
          "GET /v1/log/checkpoints", Set.of("since_size"),
          "GET /v1/log/proof", Set.of("leaf_index", "tree_size"),
          "GET /v1/events/{id}/proof", Set.of("tree_size"),
          "GET /v1/log/consistency", Set.of("from", "to"),
          "GET /v1/alerts", Set.of("status", "cursor", "limit"),
          "GET /v1/deliveries", Set.of("status", "cursor", "limit"),
          "GET /v1/archive/restores", Set.of("after", "limit"));

  private QueryParameterRules() {}

  static void check(Context ctx) {
    Endpoint e = ctx.endpoints().matchedHttpEndpoint();
    if (e == null) {
      return;
    }
    String route = e.method.name() + " " + e.path;
    if (SELF_CHECKED.contains(route)) {
      return;
    }
    Set<String> allowed = ALLOWED.getOrDefault(route, Set.of());
    for (Map.Entry<String, List<String>> p : ctx.queryParamMap().entrySet()) {
      if (!allowed.contains(p.getKey())) {
        throw ProblemException.badParameter(
            p.getKey(),
            allowed.isEmpty()
                ? "unknown parameter; this endpoint takes no query parameters"
                : "unknown parameter; known: " + String.join(", ", new TreeSet<>(allowed)));
      }
      if (p.getValue().size() > 1) {
        throw ProblemException.badParameter(p.getKey(), "may be given only once");
      }
    }
  }
}
