package dev.vellum.archive;

import dev.vellum.core.event.FieldError;
import java.util.List;

/** A request about legal holds that cannot be honoured; the HTTP layer maps the kind. */
public final class HoldProblem extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, which decides the HTTP status. */
  public enum Kind {
    INVALID,
    NOT_FOUND,
    LIMIT
  }

  private final Kind kind;
  private final transient List<FieldError> errors;

  HoldProblem(Kind kind, String detail, List<FieldError> errors) {
    super(detail);
    this.kind = kind;
    this.errors = List.copyOf(errors);
  }

  public Kind kind() {
    return kind;
  }

  public List<FieldError> errors() {
    return errors;
  }
}
