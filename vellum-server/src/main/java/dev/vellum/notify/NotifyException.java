package dev.vellum.notify;

/**
 * A request about channels or deliveries that cannot be honoured: {@code pointer} is the JSON
 * pointer (or query parameter, as {@code /name}) of the bad part, empty when there is none. The
 * HTTP layer turns it into a problem+json response.
 */
public final class NotifyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, which fixes the HTTP status. */
  public enum Kind {
    INVALID,
    NOT_FOUND,
    CONFLICT
  }

  private final Kind kind;
  private final String pointer;

  NotifyException(Kind kind, String pointer, String detail) {
    super(detail);
    this.kind = kind;
    this.pointer = pointer;
  }

  static NotifyException invalid(String pointer, String detail) {
    return new NotifyException(Kind.INVALID, pointer, detail);
  }

  static NotifyException notFound(String detail) {
    return new NotifyException(Kind.NOT_FOUND, "", detail);
  }

  static NotifyException conflict(String detail) {
    return new NotifyException(Kind.CONFLICT, "", detail);
  }

  public Kind kind() {
    return kind;
  }

  public String pointer() {
    return pointer;
  }
}
