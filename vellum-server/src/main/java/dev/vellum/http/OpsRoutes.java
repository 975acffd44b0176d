package dev.vellum.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Health, Prometheus metrics, the OpenAPI document and Swagger UI. No authentication. */
final class OpsRoutes {
  static final String SWAGGER_UI = "/webjars/swagger-ui/5.34.1/";

  private final PrometheusMeterRegistry metrics;
  private final Readiness readiness;

  OpsRoutes(PrometheusMeterRegistry metrics, Readiness readiness) {
    this.metrics = metrics;
    this.readiness = readiness;
  }

  void register(RoutesConfig routes) {
    routes.get("/health/live", ctx -> ctx.json(java.util.Map.of("status", "up")));
    routes.get("/health/ready", this::ready);
    routes.get(
        "/metrics",
        ctx ->
            ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
    routes.get(
        "/openapi.json",
        ctx -> ctx.contentType("application/json").result(resource("/web/openapi.json")));
    routes.get(
        "/docs",
        ctx -> ctx.contentType("text/html; charset=utf-8").result(resource("/web/docs.html")));
  }

  private void ready(Context ctx) {
    java.util.Optional<String> reason = readiness.notReadyReason();
    if (reason.isEmpty()) {
      ctx.json(java.util.Map.of("status", "ready"));
    } else {
      ctx.status(503)
          .header("Retry-After", "1")
          .json(java.util.Map.of("status", "not ready", "reason", reason.get()));
    }
  }

  private static byte[] resource(String path) {
    try (InputStream in = OpsRoutes.class.getResourceAsStream(path)) {
      if (in == null) {
        throw ProblemException.notFound("missing resource " + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
