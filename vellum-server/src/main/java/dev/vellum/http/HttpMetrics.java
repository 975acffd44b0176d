package dev.vellum.http;

import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * {@code vellum_http_requests}: every response timed and counted by method, route template and
 * status. The route is the template ({@code /v1/events/{id}}), never the raw path, so the number of
 * series stays bounded whatever clients send; requests no route matched are {@code unmatched}, and
 * those Jetty answered itself before routing are {@code unrouted}.
 */
final class HttpMetrics {
  private static final String STARTED = "vellum.started";
  private static final java.util.Set<String> METHODS =
      java.util.Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
  private final MeterRegistry registry;

  HttpMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Registered as the first before-filter, so that 401 and 429 answers are counted too. */
  void start(Context ctx) {
    ctx.attribute(STARTED, System.nanoTime());
  }

  void finish(Context ctx) {
    Long started = ctx.attribute(STARTED);
    if (started == null) {
      return;
    }
    Endpoint e = ctx.endpoints().matchedHttpEndpoint();
    record(ctx.method().name(), e == null ? "unmatched" : e.path, ctx.statusCode(), started);
  }

  void record(String method, String route, int status, long startedNanos) {
    Timer.builder("vellum.http.requests")
        // a client may send any token as a method; only known ones become label values
        .tag("method", METHODS.contains(method) ? method : "other")
        .tag("route", route)
        .tag("status", Integer.toString(status))
        .register(registry)
        .record(Math.max(0, System.nanoTime() - startedNanos), TimeUnit.NANOSECONDS);
  }
}
