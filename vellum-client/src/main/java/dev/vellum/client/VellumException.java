package dev.vellum.client;

import org.jspecify.annotations.Nullable;

/**
 * Why an event was not delivered: the server rejected it, the key is not allowed, the buffer was
 * full, or the client was closed first. {@link #retriable()} tells whether sending the same event
 * again later could succeed.
 */
public class VellumException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final boolean retriable;

  public VellumException(String message, int status, boolean retriable, @Nullable Throwable cause) {
    super(message, cause);
    this.status = status;
    this.retriable = retriable;
  }

  /** The HTTP status that ended delivery, or 0 if the server never answered. */
  public int status() {
    return status;
  }

  public boolean retriable() {
    return retriable;
  }
}
