package dev.vellum.ingest;

/** The ingest queue is full or shutting down; the client should retry after a pause. */
public final class OverloadedException extends RuntimeException {
  public OverloadedException(String message) {
    super(message);
  }
}
