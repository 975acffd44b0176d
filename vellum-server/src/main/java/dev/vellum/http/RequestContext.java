package dev.vellum.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.auth.ApiKeys;
import dev.vellum.auth.Principal;
import dev.vellum.auth.RateLimiter;
import dev.vellum.auth.Scope;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Per-request plumbing shared by the route classes: authentication, scope checks and JSON bodies.
 * Authentication runs once per request, in the before-filter on {@code /v1/*}.
 */
final class RequestContext {
  private static final String PRINCIPAL = "vellum.principal";

  private RequestContext() {}

  /**
   * Authenticates the key and applies its rate limit; the result is kept on ctx. The key comes in
   * {@code Authorization: Bearer <key>} or, as API Gateway expects it from producers of the
   * reference design, in {@code x-api-key: <key>}.
   */
  static void authenticate(Context ctx, ApiKeys keys, RateLimiter limiter) {
    String header = ctx.header("Authorization");
    String apiKey = ctx.header("x-api-key");
    String secret;
    if ((header == null || header.isBlank()) && apiKey != null && !apiKey.isBlank()) {
      if (apiKey.length() > 256) {
        throw ProblemException.unauthorized("x-api-key is longer than any API key");
      }
      secret = apiKey.trim();
    } else if (header == null || header.isBlank()) {
      throw ProblemException.unauthorized(
          "missing API key: send Authorization: Bearer <api key> or x-api-key: <api key>");
    } else if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() > 256) {
      throw ProblemException.unauthorized("Authorization must be: Bearer <api key>");
    } else {
      secret = header.substring(7).trim();
    }
    Optional<Principal> p = keys.authenticate(secret);
    if (p.isEmpty()) {
      throw ProblemException.unauthorized("unknown or revoked API key");
    }
    RateLimiter.Decision d = limiter.tryAcquire(p.get().keyId());
    Map<String, String> usage = usageHeaders(d);
    if (!d.allowed()) {
      throw ProblemException.rateLimited(d.retryAfterSeconds(), d.quotaExceeded(), usage);
    }
    usage.forEach(ctx::header);
    ctx.attribute(PRINCIPAL, p.get());
  }

  /**
   * What the key's usage plan leaves: the bucket's size and tokens left ({@code X-RateLimit-*})
   * and, with a quota, the quota and what is left of it this period ({@code X-Quota-*}).
   */
  private static Map<String, String> usageHeaders(RateLimiter.Decision d) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("X-RateLimit-Limit", Long.toString(d.plan().burst()));
    h.put("X-RateLimit-Remaining", Long.toString(d.rateRemaining()));
    if (d.quotaRemaining() >= 0) {
      h.put("X-Quota-Limit", Long.toString(d.plan().quota()));
      h.put("X-Quota-Remaining", Long.toString(d.quotaRemaining()));
      h.put("X-Quota-Period", d.plan().quotaPeriod());
    }
    return h;
  }

  /** The authenticated caller, who must hold {@code scope}. */
  static Principal principal(Context ctx, Scope scope) {
    Principal p = ctx.attribute(PRINCIPAL);
    if (p == null) {
      throw ProblemException.unauthorized("missing Authorization: Bearer <api key>");
    }
    if (!p.has(scope)) {
      throw ProblemException.forbidden("this API key lacks the scope " + scope.wire());
    }
    return p;
  }

  /** Parses the body as JSON after checking the content type; malformed JSON is a 400. */
  static JsonNode jsonBody(Context ctx, ObjectMapper json) {
    requireJson(ctx);
    byte[] body = body(ctx);
    if (body.length == 0) {
      throw ProblemException.badRequest("request body is empty; expected JSON", null);
    }
    try {
      JsonNode node = json.readTree(body);
      if (node == null || node.isMissingNode()) {
        throw ProblemException.badRequest("request body is empty; expected JSON", null);
      }
      return node;
    } catch (JsonProcessingException e) {
      throw ProblemHandlers.malformed(e);
    } catch (IOException e) {
      throw ProblemException.badRequest("cannot read request body", null);
    }
  }

  /** A 415 unless the request declares a JSON content type. */
  static void requireJson(Context ctx) {
    String type = ctx.contentType();
    String base = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!base.equals("application/json") && !base.endsWith("+json")) {
      throw ProblemException.unsupportedMediaType(
          "Content-Type must be application/json, got " + (type == null ? "none" : type));
    }
    BodyReader.requireUtf8Charset(type);
  }

  /**
   * The raw body, read by the server's {@link BodyReader}: a client that disconnects mid-body gets
   * a 400, one too slow a 408, one not sending UTF-8 a 415; nothing is stored.
   */
  static byte[] body(Context ctx) {
    BodyReader reader = ctx.appData(HttpServer.BODY_READER);
    return reader.read(ctx);
  }

  /** The principal authenticated for this request, or null before or without authentication. */
  static Principal authenticated(Context ctx) {
    return ctx.attribute(PRINCIPAL);
  }
}
