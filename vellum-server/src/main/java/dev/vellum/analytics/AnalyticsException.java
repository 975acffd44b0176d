package dev.vellum.analytics;

/**
 * A query that was refused or failed, with a message fit for the user: DuckDB's own words reduced
 * to what the user needs, never a stack trace or a server path.
 */
public final class AnalyticsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why, which the HTTP layer maps to a status. */
  public enum Kind {
    /** Not a single read-only SELECT over {@code events}, or not valid SQL (400). */
    REFUSED,
    /** Valid, but failed while running: a wrong column, a type error, out of memory (422). */
    FAILED,
    /** Cancelled at the time limit (422). */
    TIMED_OUT,
    /** The tenant already runs its share of queries (429). */
    TENANT_BUSY,
    /** The node already runs all the queries it may (503). */
    BUSY,
    /** No saved query with that id (404). */
    NOT_FOUND,
    /** A saved query limit reached or a name taken (409). */
    CONFLICT
  }

  private final Kind kind;

  public AnalyticsException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  @Override
  public String getMessage() {
    String m = super.getMessage();
    return m == null ? kind.name() : m;
  }
}
