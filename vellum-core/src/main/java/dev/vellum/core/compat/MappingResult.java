package dev.vellum.core.compat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.event.FieldError;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Result of mapping one reference-design payload: either the canonical event or a non-empty list of
 * problems, each naming the offending reference field by JSON pointer (e.g. {@code /requestorip}).
 */
public final class MappingResult {

  private final @Nullable ObjectNode event;
  private final List<FieldError> errors;

  private MappingResult(@Nullable ObjectNode event, List<FieldError> errors) {
    this.event = event;
    this.errors = errors;
  }

  public static MappingResult success(ObjectNode event) {
    return new MappingResult(Objects.requireNonNull(event, "event"), List.of());
  }

  public static MappingResult failure(List<FieldError> errors) {
    if (errors == null || errors.isEmpty()) {
      throw new IllegalArgumentException("a failed mapping needs at least one error");
    }
    return new MappingResult(null, List.copyOf(errors));
  }

  /**
   * True when the payload mapped; {@link #event()} is then non-null and {@link #errors()} empty.
   */
  public boolean isSuccess() {
    return event != null;
  }

  /** The canonical event (without {@code id} and server members), or null when mapping failed. */
  public @Nullable ObjectNode event() {
    return event;
  }

  /** The problems found, all of them; empty when mapping succeeded. */
  public List<FieldError> errors() {
    return errors;
  }

  @Override
  public String toString() {
    return isSuccess()
        ? "MappingResult[event=" + event + "]"
        : "MappingResult[errors=" + errors + "]";
  }
}
