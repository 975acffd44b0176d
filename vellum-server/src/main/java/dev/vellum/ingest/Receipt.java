package dev.vellum.ingest;

import org.jspecify.annotations.Nullable;

/** What the sequencer did with one event. {@code seq} and {@code leafHash} are null on conflict. */
public record Receipt(String id, @Nullable Long seq, byte @Nullable [] leafHash, Status status) {
  public enum Status {
    ACCEPTED,
    DUPLICATE,
    CONFLICT
  }
}
