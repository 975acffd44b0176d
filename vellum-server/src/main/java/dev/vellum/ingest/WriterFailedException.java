package dev.vellum.ingest;

/**
 * The single writer has stopped after an unexpected failure and takes nothing more; the node
 * reports not-ready. Nothing from the rejected request was stored.
 */
public final class WriterFailedException extends RuntimeException {
  public WriterFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
