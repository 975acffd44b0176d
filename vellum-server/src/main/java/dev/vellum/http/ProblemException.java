package dev.vellum.http;

import dev.vellum.core.event.FieldError;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An RFC 9457 problem to send to the client. Handlers throw it; {@link ProblemHandlers} is the one
 * place that turns it into an {@code application/problem+json} response.
 */
final class ProblemException extends RuntimeException {
  public static final String TYPE_BASE = "https://vellum.dev/problems/";

  private final int status;
  private final String slug;
  private final String title;
  private final List<FieldError> errors;
  private final Map<String, String> headers;

  public ProblemException(
      int status,
      String slug,
      String title,
      @Nullable String detail,
      @Nullable List<FieldError> errors,
      @Nullable Map<String, String> headers) {
    super(detail);
    this.status = status;
    this.slug = slug;
    this.title = title;
    this.errors = errors == null ? List.of() : List.copyOf(errors);
    this.headers = headers == null ? Map.of() : Map.copyOf(headers);
  }

  public static ProblemException badRequest(String detail, @Nullable List<FieldError> errors) {
    return new ProblemException(400, "bad-request", "Bad request", detail, errors, null);
  }

  public static ProblemException badParameter(String name, String detail) {
    return badRequest(
        "query parameter " + name + ": " + detail, List.of(new FieldError("/" + name, detail)));
  }

  public static ProblemException unauthorized(String detail) {
    return new ProblemException(
        401,
        "unauthorized",
        "Unauthorized",
        detail,
        null,
        Map.of("WWW-Authenticate", "Bearer realm=\"vellum\""));
  }

  public static ProblemException forbidden(String detail) {
    return new ProblemException(403, "forbidden", "Forbidden", detail, null, null);
  }

  public static ProblemException notFound(String detail) {
    return new ProblemException(404, "not-found", "Not found", detail, null, null);
  }

  public static ProblemException conflict(String detail) {
    return new ProblemException(409, "conflict", "Conflict", detail, null, null);
  }

  public static ProblemException tooLarge(String detail) {
    return new ProblemException(413, "too-large", "Content too large", detail, null, null);
  }

  public static ProblemException unsupportedMediaType(String detail) {
    return new ProblemException(
        415, "unsupported-media-type", "Unsupported media type", detail, null, null);
  }

  public static ProblemException validation(String detail, List<FieldError> errors) {
    return new ProblemException(422, "validation", "Validation failed", detail, errors, null);
  }

  public static ProblemException rateLimited(long retryAfterSeconds) {
    return rateLimited(retryAfterSeconds, false, Map.of());
  }

  /**
   * 429 for a key over its rate ({@code rate-limited}) or its quota ({@code quota-exceeded}), with
   * {@code Retry-After} and the usage headers of the key's plan.
   */
  public static ProblemException rateLimited(
      long retryAfterSeconds, boolean quota, Map<String, String> usage) {
    Map<String, String> headers = new java.util.LinkedHashMap<>(usage);
    headers.put("Retry-After", Long.toString(retryAfterSeconds));
    return quota
        ? new ProblemException(
            429,
            "quota-exceeded",
            "Quota exceeded",
            "the quota of this API"
                + " key for this "
                + usage.getOrDefault("X-Quota-Period", "period")
                + " is used up;"
                + " retry after "
                + retryAfterSeconds
                + " s",
            null,
            headers)
        : new ProblemException(
            429,
            "rate-limited",
            "Too many requests",
            "rate limit of this API key exceeded; retry after " + retryAfterSeconds + " s",
            null,
            headers);
  }

  public static ProblemException unavailable(@Nullable String detail, long retryAfterSeconds) {
    return new ProblemException(
        503,
        "unavailable",
        "Service unavailable",
        detail,
        null,
        Map.of("Retry-After", Long.toString(retryAfterSeconds)));
  }

  public int status() {
    return status;
  }

  public String slug() {
    return slug;
  }

  public String title() {
    return title;
  }

  public List<FieldError> errors() {
    return errors;
  }

  public Map<String, String> headers() {
    return headers;
  }
}
