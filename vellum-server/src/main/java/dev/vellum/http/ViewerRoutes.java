package dev.vellum.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The audit viewer: static HTML, CSS and ES modules from {@code /web/viewer/} in the server's
 * resources, at {@code /} and {@code /viewer/*}, and the security headers of every answer. The
 * viewer talks only to the public {@code /v1} API; it has no server-side part.
 */
final class ViewerRoutes {
  /**
   * No inline script or style, nothing from another origin, no framing, no plugins. Swagger UI at
   * {@code /docs} starts itself with an inline script, so it gets everything but script-src.
   */
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self';"
          + " img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none';"
          + " form-action 'self'; frame-ancestors 'none'";

  private static final String DOCS_CSP =
      "frame-ancestors 'none'; base-uri 'none';" + " object-src 'none'";
  private static final Pattern FILE =
      Pattern.compile("[a-z0-9_-]+(/[a-z0-9_-]+)*\\.(js|css|html|svg)");
  private static final Map<String, String> TYPES =
      Map.of(
          "js",
          "text/javascript; charset=utf-8",
          "css",
          "text/css; charset=utf-8",
          "html",
          "text/html; charset=utf-8",
          "svg",
          "image/svg+xml");

  void register(RoutesConfig routes) {
    routes.get("/", ctx -> serve(ctx, "index.html"));
    routes.get("/viewer/*", ctx -> serve(ctx, ctx.path().substring("/viewer/".length())));
  }

  static void securityHeaders(Context ctx) {
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("Cross-Origin-Opener-Policy", "same-origin");
    boolean swagger = ctx.path().equals("/docs") || ctx.path().startsWith("/webjars/swagger-ui/");
    ctx.header("Content-Security-Policy", swagger ? DOCS_CSP : CSP);
  }

  private static void serve(Context ctx, String file) {
    if (!FILE.matcher(file).matches()) {
      throw ProblemException.notFound("no viewer file " + file);
    }
    byte[] bytes;
    try (InputStream in = ViewerRoutes.class.getResourceAsStream("/web/viewer/" + file)) {
      if (in == null) {
        throw ProblemException.notFound("no viewer file " + file);
      }
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ctx.header("Cache-Control", "no-cache");
    ctx.contentType(TYPES.get(file.substring(file.lastIndexOf('.') + 1))).result(bytes);
  }
}
