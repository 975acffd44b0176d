package dev.vellum.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.event.FieldError;
import dev.vellum.ingest.CommitOutcomeUnknownException;
import dev.vellum.ingest.OverloadedException;
import dev.vellum.ingest.WriterFailedException;
import dev.vellum.store.StoreException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps every exception to an RFC 9457 {@code application/problem+json} response. Nothing about the
 * server's internals (stack traces, paths, SQL) reaches the client; unexpected failures are logged
 * with an id that the response repeats, so an operator can find them.
 */
final class ProblemHandlers {
  private static final Logger LOG = LoggerFactory.getLogger(ProblemHandlers.class);
  static final String CONTENT_TYPE = "application/problem+json";

  private ProblemHandlers() {}

  static void register(RoutesConfig routes, ObjectMapper json) {
    routes.exception(ProblemException.class, (e, ctx) -> write(ctx, json, e));
    routes.exception(JsonProcessingException.class, (e, ctx) -> write(ctx, json, malformed(e)));
    routes.exception(
        OverloadedException.class,
        (e, ctx) -> write(ctx, json, ProblemException.unavailable(e.getMessage(), 1)));
    routes.exception(
        CommitOutcomeUnknownException.class,
        (e, ctx) -> {
          LOG.error("commit outcome unknown on {} {}", ctx.method(), ctx.path(), e);
          write(
              ctx,
              json,
              unavailable(
                  "commit-outcome-unknown",
                  "Commit outcome unknown",
                  e.getMessage() + "; resending the same events with the same ids is safe",
                  5));
        });
    routes.exception(
        WriterFailedException.class,
        (e, ctx) ->
            write(ctx, json, unavailable("writer-stopped", "Writer stopped", e.getMessage(), 30)));
    routes.exception(
        StoreException.class,
        (e, ctx) -> {
          LOG.error("store failure on {} {}", ctx.method(), ctx.path(), e);
          write(
              ctx,
              json,
              e.unavailable()
                  ? ProblemException.unavailable(
                      "the event store is unavailable; nothing from this" + " request was stored",
                      5)
                  : internal());
        });
    routes.exception(
        HttpResponseException.class,
        (e, ctx) ->
            write(
                ctx,
                json,
                new ProblemException(
                    e.getStatus(),
                    slugOf(e.getStatus()),
                    titleOf(e.getStatus()),
                    e.getStatus() == 413
                        ? "request body is larger than the configured limit"
                        : e.getMessage(),
                    null,
                    null)));
    routes.exception(
        Exception.class,
        (e, ctx) -> {
          LOG.error("unexpected failure on {} {}", ctx.method(), ctx.path(), e);
          write(ctx, json, internal());
        });
    routes.error(
        404,
        ctx -> {
          if (!CONTENT_TYPE.equals(ctx.res().getContentType())) {
            write(ctx, json, ProblemException.notFound("no such resource: " + ctx.path()));
          }
        });
    routes.error(
        405,
        ctx ->
            write(
                ctx,
                json,
                new ProblemException(
                    405,
                    "method-not-allowed",
                    "Method not allowed",
                    ctx.method() + " is not allowed on " + ctx.path(),
                    null,
                    null)));
  }

  static ProblemException malformed(JsonProcessingException e) {
    var loc = e.getLocation();
    String where =
        loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    return new ProblemException(
        400,
        "malformed-json",
        "Malformed JSON",
        "request body is not valid JSON" + where + ": " + plain(e.getOriginalMessage()),
        List.of(new FieldError("", "malformed JSON" + where)),
        null);
  }

  private static ProblemException unavailable(
      String slug, String title, @Nullable String detail, int retryAfterSeconds) {
    return new ProblemException(
        503, slug, title, detail, null, Map.of("Retry-After", Integer.toString(retryAfterSeconds)));
  }

  // Jackson's messages end in advice for the programmer: a feature to enable, a constraint's
  // getter, a source description; the client gets the part before any of them
  private static final String[] INTERNALS = {
    ": enable",
    "; enable",
    "(not recognized",
    ", from `",
    "(start marker",
    "[Source",
    "Feature",
    "`",
    "\n"
  };

  /** A Jackson message without library names or advice. */
  static String plain(String message) {
    if (message == null) {
      return "malformed JSON";
    }
    int cut = message.length();
    for (String marker : INTERNALS) {
      int i = message.indexOf(marker);
      if (i >= 0 && i < cut) {
        cut = i;
      }
    }
    String kept = message.substring(0, cut).replaceAll("[\\s:;,(]+$", "");
    if (kept.chars().filter(c -> c == '(').count() > kept.chars().filter(c -> c == ')').count()) {
      kept += ")";
    }
    return kept.isEmpty() ? "malformed JSON" : kept;
  }

  private static ProblemException internal() {
    return new ProblemException(
        500,
        "internal",
        "Internal server error",
        "the server failed to handle this request; it has been logged",
        null,
        null);
  }

  private static String slugOf(int status) {
    return switch (status) {
      case 413 -> "too-large";
      case 404 -> "not-found";
      case 405 -> "method-not-allowed";
      case 400 -> "bad-request";
      default -> "http-" + status;
    };
  }

  private static String titleOf(int status) {
    return switch (status) {
      case 413 -> "Content too large";
      case 404 -> "Not found";
      case 400 -> "Bad request";
      default -> "HTTP " + status;
    };
  }

  static void write(Context ctx, ObjectMapper json, ProblemException p) {
    ObjectNode body = json.createObjectNode();
    body.put("type", ProblemException.TYPE_BASE + p.slug());
    body.put("title", p.title());
    body.put("status", p.status());
    body.put("detail", p.getMessage());
    body.put("instance", ctx.path());
    if (!p.errors().isEmpty()) {
      ArrayNode errors = body.putArray("errors");
      for (FieldError f : p.errors()) {
        errors.addObject().put("pointer", f.pointer()).put("detail", f.detail());
      }
    }
    for (Map.Entry<String, String> h : p.headers().entrySet()) {
      ctx.header(h.getKey(), h.getValue());
    }
    ctx.status(p.status()).contentType(CONTENT_TYPE).result(body.toString());
  }
}
