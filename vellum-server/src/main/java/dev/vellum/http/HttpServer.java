package dev.vellum.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.auth.ApiKeys;
import dev.vellum.auth.RateLimiter;
import dev.vellum.auth.Sources;
import dev.vellum.auth.Tenants;
import dev.vellum.config.VellumConfig;
import dev.vellum.ingest.EventTypeCatalog;
import dev.vellum.ingest.IngestService;
import dev.vellum.log.TransparencyLog;
import dev.vellum.query.QueryService;
import dev.vellum.store.DirectoryStore;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.function.BooleanSupplier;

/** Assembles the Javalin server: filters, routes and the single exception-to-problem mapping. */
public final class HttpServer {
  /** Everything the routes need, constructed once by the application. */
  public record Parts(VellumConfig config, ObjectMapper json, Clock clock,
      PrometheusMeterRegistry metrics, DirectoryStore directory, Sources sources,
      EventTypeCatalog catalog, ApiKeys keys, Tenants tenants, RateLimiter limiter,
      IngestService ingest, QueryService queries, TransparencyLog log,
      BooleanSupplier ready) {}

  private final Javalin app;

  public HttpServer(Parts p) {
    HttpMetrics httpMetrics = new HttpMetrics(p.metrics());
    this.app = Javalin.create(cfg -> {
      cfg.jsonMapper(new JavalinJackson(p.json(), false));
      cfg.http.prefer405over404 = true;
      cfg.http.maxRequestSize = p.config().ingest().maxRequestBytes();
      cfg.jetty.host = p.config().host();
      cfg.jetty.port = p.config().port();
      cfg.startup.showJavalinBanner = false;
      cfg.staticFiles.enableWebjars();
      cfg.routes.before("/v1/*", ctx -> RequestContext.authenticate(ctx, p.keys(), p.limiter()));
      cfg.routes.before(httpMetrics::start);
      cfg.routes.after(httpMetrics::finish);
      ProblemHandlers.register(cfg.routes, p.json());
      new OpsRoutes(p.metrics(), p.ready()).register(cfg.routes);
      new IngestRoutes(p.ingest(), p.json(), p.config().ingest(), p.log()).register(cfg.routes);
      new LogRoutes(p.log(), p.queries(), p.ingest(), p.json()).register(cfg.routes);
      new CompatRoutes(p.ingest(), p.json()).register(cfg.routes);
      new QueryRoutes(p.queries(), p.ingest(), p.json(), p.clock()).register(cfg.routes);
      new AdminRoutes(p.directory(), p.sources(), p.catalog(), p.keys(), p.tenants(), p.json(),
          p.clock(), new AdminAudit(p.ingest(), p.json()), p.limiter(), p.config().rateLimit())
          .register(cfg.routes);
    });
  }

  public HttpServer start() {
    app.start();
    return this;
  }

  public int port() {
    return app.port();
  }

  /** Stops accepting connections and waits for requests in flight to finish. */
  public void stop() {
    app.stop();
  }
}
