package dev.vellum.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.analytics.Analytics;
import dev.vellum.auth.ApiKeys;
import dev.vellum.auth.RateLimiter;
import dev.vellum.auth.Sources;
import dev.vellum.auth.Tenants;
import dev.vellum.config.VellumConfig;
import dev.vellum.feed.Consumers;
import dev.vellum.feed.Feed;
import dev.vellum.ingest.EventTypeCatalog;
import dev.vellum.ingest.IngestService;
import dev.vellum.log.TransparencyLog;
import dev.vellum.notify.Notifications;
import dev.vellum.query.QueryService;
import dev.vellum.store.DirectoryStore;
import dev.vellum.store.EventStore;
import io.javalin.Javalin;
import io.javalin.config.Key;
import io.javalin.json.JavalinJackson;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.jspecify.annotations.Nullable;

/** Assembles the Javalin server: filters, routes and the single exception-to-problem mapping. */
public final class HttpServer {
  /** Everything the routes need, constructed once by the application. */
  public record Parts(
      VellumConfig config,
      ObjectMapper json,
      Clock clock,
      PrometheusMeterRegistry metrics,
      DirectoryStore directory,
      Sources sources,
      EventTypeCatalog catalog,
      ApiKeys keys,
      Tenants tenants,
      RateLimiter limiter,
      IngestService ingest,
      QueryService queries,
      TransparencyLog log,
      EventStore store,
      Consumers consumers,
      Readiness readiness,
      Feed feed,
      dev.vellum.rules.RuleService rules,
      Analytics analytics,
      Notifications notifications,
      dev.vellum.archive.LegalHolds holds,
      dev.vellum.archive.@org.jspecify.annotations.Nullable Restores restores) {}

  static final Key<BodyReader> BODY_READER = new Key<>("vellum.body-reader");

  private final Javalin app;

  /** "get /v1/events", … as the router registered them; the OpenAPI test compares its document. */
  private final List<String> routes = new CopyOnWriteArrayList<>();

  private final @Nullable TlsKeys tls;

  public HttpServer(Parts p) {
    HttpMetrics httpMetrics = new HttpMetrics(p.metrics());
    VellumConfig.Http edge = p.config().http();
    this.tls = edge.tls().enabled() ? new TlsKeys(edge.tls()) : null;
    InFlightLimit inFlight = new InFlightLimit(edge.maxInFlightPerKey());
    JettyProblems jettyProblems = new JettyProblems(p.json(), httpMetrics);
    this.app =
        Javalin.create(
            cfg -> {
              cfg.events.handlerAdded(
                  h -> {
                    if (h.getHttpMethod().isHttpMethod()) {
                      routes.add(
                          h.getHttpMethod().name().toLowerCase(Locale.ROOT) + " " + h.getPath());
                    }
                  });
              cfg.jsonMapper(new JavalinJackson(p.json(), false));
              cfg.http.prefer405over404 = true;
              cfg.http.maxRequestSize = p.config().ingest().maxRequestBytes();
              cfg.appData(
                  BODY_READER,
                  new BodyReader(p.config().ingest().maxRequestBytes(), edge.bodyTimeout()));
              cfg.jetty.addConnector(
                  (server, httpConfig) -> connector(server, httpConfig, p.config()));
              cfg.jetty.modifyServer(server -> server.setErrorHandler(jettyProblems));
              cfg.jetty.modifyServletContextHandler(h -> h.setErrorHandler(jettyProblems));
              cfg.startup.showJavalinBanner = false;
              cfg.staticFiles.enableWebjars();
              // metrics first, so that answers of the filters below (401, 429) are counted too
              cfg.routes.before(httpMetrics::start);
              cfg.routes.before(ViewerRoutes::securityHeaders);
              cfg.routes.before(
                  "/v1/*", ctx -> RequestContext.authenticate(ctx, p.keys(), p.limiter()));
              cfg.routes.before("/v1/*", inFlight::acquire);
              cfg.routes.beforeMatched("/v1/*", QueryParameterRules::check);
              cfg.routes.after(inFlight::release);
              cfg.routes.after(httpMetrics::finish);
              ProblemHandlers.register(cfg.routes, p.json());
              new OpsRoutes(p.metrics(), p.readiness()).register(cfg.routes);
              new FeedRoutes(p.consumers(), p.store(), p.json()).register(cfg.routes);
              new IngestRoutes(p.ingest(), p.json(), p.config().ingest(), p.log())
                  .register(cfg.routes);
              new LogRoutes(p.log(), p.queries(), p.ingest(), p.json()).register(cfg.routes);
              new CompatRoutes(p.ingest(), p.json()).register(cfg.routes);
              // before QueryRoutes, whose /v1/events/{id} would match these paths too
              new ExportRoutes(p.queries(), p.ingest(), p.json()).register(cfg.routes);
              StreamRoutes streams = new StreamRoutes(p.feed(), p.store(), p.ingest(), p.json());
              streams.register(cfg.routes);
              cfg.events.serverStopping(streams::stop);
              new QueryRoutes(p.queries(), p.ingest(), p.json(), p.clock()).register(cfg.routes);
              new ViewerRoutes().register(cfg.routes);
              new AnalyticsRoutes(p.analytics(), p.ingest(), p.json()).register(cfg.routes);
              new RestoreRoutes(p.restores(), p.json()).register(cfg.routes);
              new AdminRoutes(
                      p.directory(),
                      p.sources(),
                      p.catalog(),
                      p.keys(),
                      p.tenants(),
                      p.json(),
                      p.clock(),
                      new AdminAudit(p.ingest(), p.json()),
                      p.limiter(),
                      p.config().rateLimit())
                  .register(cfg.routes);
              new RuleRoutes(p.rules(), p.ingest(), new AdminAudit(p.ingest(), p.json()), p.json())
                  .register(cfg.routes);
              new AlertRoutes(p.rules(), p.ingest(), p.json()).register(cfg.routes);
              new ChannelRoutes(
                      p.notifications().channels(),
                      new AdminAudit(p.ingest(), p.json()),
                      p.json(),
                      p.clock())
                  .register(cfg.routes);
              new DeliveryRoutes(p.notifications().deliveries(), p.ingest(), p.json(), p.clock())
                  .register(cfg.routes);
              new HoldRoutes(p.holds(), p.ingest(), p.json()).register(cfg.routes);
            });
  }

  /**
   * The one listening connector: HTTP/1.1, over TLS when a certificate is configured. Its idle
   * timeout bounds silence on a connection; {@link BodyReader} bounds a whole body.
   */
  private ServerConnector connector(
      Server server, HttpConfiguration httpConfig, VellumConfig config) {
    ServerConnector c;
    if (tls == null) {
      c = new ServerConnector(server, new HttpConnectionFactory(httpConfig));
    } else {
      SecureRequestCustomizer secure = new SecureRequestCustomizer();
      // clients reach a server by many names (localhost, an IP, a load balancer's name); the
      // certificate is the operator's choice, so the Host header is not matched against it
      secure.setSniHostCheck(false);
      httpConfig.addCustomizer(secure);
      c =
          new ServerConnector(
              server,
              new SslConnectionFactory(tls.factory(), "http/1.1"),
              new HttpConnectionFactory(httpConfig));
    }
    c.setHost(config.host());
    c.setPort(config.port());
    c.setIdleTimeout(config.http().idleTimeout().toMillis());
    return c;
  }

  public HttpServer start() {
    app.start();
    return this;
  }

  /** Every endpoint the router has, as "method path" with Javalin's path syntax. */
  public List<String> routes() {
    return List.copyOf(routes);
  }

  public int port() {
    return app.port();
  }

  /** Whether this server speaks HTTPS. */
  public boolean tls() {
    return tls != null;
  }

  /** Stops accepting connections and waits for requests in flight to finish. */
  public void stop() {
    app.stop();
    if (tls != null) {
      tls.close();
    }
  }
}
