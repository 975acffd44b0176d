package dev.vellum.http;

import dev.vellum.auth.Principal;
import io.javalin.http.Context;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Caps the requests one API key may have open at once. Each open request holds a server thread (a
 * slow body holds it until its deadline), so without a cap one key could occupy every thread and
 * starve all other clients. Entries are removed when a key's count returns to zero, so the map is
 * bounded by the number of requests in flight.
 */
final class InFlightLimit {
  private static final String HELD = "vellum.inflight";
  private final int max;
  private final Map<String, Integer> open = new ConcurrentHashMap<>();

  InFlightLimit(int max) {
    this.max = max;
  }

  /** Runs after authentication; a 429 when the key already has {@code max} requests open. */
  void acquire(Context ctx) {
    Principal p = RequestContext.authenticated(ctx);
    if (p == null) {
      return;
    }
    boolean[] ok = {false};
    open.compute(
        p.keyId(),
        (k, n) -> {
          int current = n == null ? 0 : n;
          ok[0] = current < max;
          return ok[0] ? current + 1 : n;
        });
    if (!ok[0]) {
      throw new ProblemException(
          429,
          "too-many-in-flight",
          "Too many requests",
          "this API key already has "
              + max
              + " requests in progress; retry after one"
              + " completes",
          null,
          Map.of("Retry-After", "1"));
    }
    ctx.attribute(HELD, p.keyId());
  }

  /** Runs after every request, also a failed one. */
  void release(Context ctx) {
    String key = ctx.attribute(HELD);
    if (key != null) {
      ctx.attribute(HELD, null);
      open.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }
  }
}
