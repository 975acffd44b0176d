package dev.vellum.ingest;

import org.jspecify.annotations.Nullable;

/**
 * The writer may or may not have committed the request's events: the wait for it ended (bounded
 * wait, interrupt) or the writer failed at a point where the transaction may have completed.
 * Resending the same events with the same ids is safe: stored ones are answered as duplicates.
 */
public final class CommitOutcomeUnknownException extends RuntimeException {
  public CommitOutcomeUnknownException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
