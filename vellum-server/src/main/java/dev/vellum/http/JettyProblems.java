package dev.vellum.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * Jetty's error pages, replaced by problem documents. Jetty answers on its own, before any route
 * runs, when a request cannot be parsed or routed: an illegal character in the path (400), a URI or
 * headers too long (414, 431), an unknown method. Its messages name parser internals, so the detail
 * here is chosen by status alone; the reason Jetty gives is not passed on.
 */
final class JettyProblems extends ErrorHandler {
  private static final String UNROUTED = "unrouted";
  private final ObjectMapper json;
  private final HttpMetrics metrics;

  JettyProblems(ObjectMapper json, HttpMetrics metrics) {
    this.json = json;
    this.metrics = metrics;
  }

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback) {
    metrics.record(request.getMethod(), UNROUTED, code, request.getBeginNanoTime());
    String path = request.getHttpURI() == null ? null : request.getHttpURI().getPath();
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, ProblemHandlers.CONTENT_TYPE);
    response.write(true, ByteBuffer.wrap(body(code, path)), callback);
  }

  /** Used when the request line or headers could not even be parsed. */
  @Override
  @SuppressWarnings("removal") // Jetty's own hook; remove this override when Jetty drops it
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    metrics.record("unknown", UNROUTED, status, System.nanoTime());
    fields.put(HttpHeader.CONTENT_TYPE, ProblemHandlers.CONTENT_TYPE);
    return ByteBuffer.wrap(body(status, null));
  }

  private byte[] body(int status, @Nullable String path) {
    ProblemException p = problemFor(status);
    ObjectNode body = json.createObjectNode();
    body.put("type", ProblemException.TYPE_BASE + p.slug());
    body.put("title", p.title());
    body.put("status", status);
    body.put("detail", p.getMessage());
    if (path != null && path.length() <= 512) {
      body.put("instance", path);
    }
    return body.toString().getBytes(StandardCharsets.UTF_8);
  }

  static ProblemException problemFor(int status) {
    return switch (status) {
      case 400 ->
          ProblemException.badRequest(
              "the request could not be parsed: the request line,"
                  + " path or a header is malformed (for example an illegal character in the path)",
              null);
      case 404 -> ProblemException.notFound("no such resource");
      case 405 ->
          new ProblemException(
              405,
              "method-not-allowed",
              "Method not allowed",
              "this method is not supported",
              null,
              null);
      case 408 ->
          new ProblemException(
              408,
              "request-timeout",
              "Request timeout",
              "the request did not arrive in time",
              null,
              null);
      case 413 -> ProblemException.tooLarge("request body is larger than the configured limit");
      case 414 ->
          new ProblemException(
              414,
              "uri-too-long",
              "URI too long",
              "the request URI (path and query string) is longer than the server accepts",
              null,
              null);
      case 431 ->
          new ProblemException(
              431,
              "headers-too-large",
              "Request header fields too large",
              "the request headers are larger than the server" + " accepts",
              null,
              null);
      case 501 ->
          new ProblemException(
              501,
              "not-implemented",
              "Not implemented",
              "this method or feature is not supported",
              null,
              null);
      case 503 -> ProblemException.unavailable("the server is not ready; retry shortly", 1);
      default ->
          status >= 500
              ? new ProblemException(
                  status,
                  "internal",
                  "Internal server error",
                  "the server failed to handle this request; it has been logged",
                  null,
                  null)
              : new ProblemException(
                  status,
                  "http-" + status,
                  "HTTP " + status,
                  "the request was refused with status " + status,
                  null,
                  null);
    };
  }
}
