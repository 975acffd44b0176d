package dev.vellum.http;

import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/** Counts HTTP responses by status and times them by route. */
final class HttpMetrics {
  private static final String STARTED = "vellum.started";
  private final MeterRegistry registry;

  HttpMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void start(Context ctx) {
    ctx.attribute(STARTED, System.nanoTime());
  }

  void finish(Context ctx) {
    Long started = ctx.attribute(STARTED);
    if (started == null) {
      return;
    }
    String route = ctx.endpoint() == null ? "unmatched" : ctx.endpoint().path;
    Timer.builder("vellum.http.requests")
        .tag("method", ctx.method().name())
        .tag("route", route)
        .tag("status", Integer.toString(ctx.statusCode()))
        .register(registry)
        .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
  }
}
