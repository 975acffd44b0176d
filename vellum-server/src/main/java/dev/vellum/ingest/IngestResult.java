package dev.vellum.ingest;

import dev.vellum.core.event.FieldError;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The outcome for one submitted event, in the order it was submitted. */
public record IngestResult(
    int index,
    @Nullable String id,
    @Nullable Long seq,
    byte @Nullable [] leafHash,
    Status status,
    List<FieldError> errors,
    boolean forbidden) {

  public enum Status {
    ACCEPTED,
    DUPLICATE,
    REJECTED
  }

  static IngestResult rejected(
      int index, @Nullable String id, List<FieldError> errors, boolean forbidden) {
    return new IngestResult(index, id, null, null, Status.REJECTED, List.copyOf(errors), forbidden);
  }
}
