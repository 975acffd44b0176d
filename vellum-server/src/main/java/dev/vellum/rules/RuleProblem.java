package dev.vellum.rules;

import dev.vellum.core.event.FieldError;
import java.util.List;

/** A request about rules or alerts that cannot be honoured; the HTTP layer maps the kind. */
public final class RuleProblem extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, which decides the HTTP status. */
  public enum Kind {
    INVALID,
    NOT_FOUND,
    CONFLICT,
    LIMIT,
    FORBIDDEN
  }

  private final Kind kind;
  private final transient List<FieldError> errors;

  public RuleProblem(Kind kind, String detail, List<FieldError> errors) {
    super(detail);
    this.kind = kind;
    this.errors = List.copyOf(errors);
  }

  static RuleProblem invalid(String detail, List<FieldError> errors) {
    return new RuleProblem(Kind.INVALID, detail, errors);
  }

  static RuleProblem notFound(String detail) {
    return new RuleProblem(Kind.NOT_FOUND, detail, List.of());
  }

  public Kind kind() {
    return kind;
  }

  public List<FieldError> errors() {
    return errors;
  }
}
