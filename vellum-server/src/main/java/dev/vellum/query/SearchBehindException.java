package dev.vellum.query;

/**
 * The search index has not caught up with the tenant's last committed event in time; answering from
 * it would silently miss events the client was told are stored. Retrying later is safe.
 */
public final class SearchBehindException extends RuntimeException {
  public SearchBehindException(String message) {
    super(message);
  }
}
