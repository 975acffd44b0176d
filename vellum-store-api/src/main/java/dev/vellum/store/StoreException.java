package dev.vellum.store;

import org.jspecify.annotations.Nullable;

/**
 * The store could not do what was asked. {@code unavailable} is true when retrying later may
 * succeed (disk full, database locked, I/O error); the HTTP layer answers those with 503.
 */
public class StoreException extends RuntimeException {
  private final boolean unavailable;

  public StoreException(String message, @Nullable Throwable cause, boolean unavailable) {
    super(message, cause);
    this.unavailable = unavailable;
  }

  public boolean unavailable() {
    return unavailable;
  }
}
