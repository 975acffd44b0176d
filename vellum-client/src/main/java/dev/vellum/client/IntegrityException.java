package dev.vellum.client;

import org.jspecify.annotations.Nullable;

/**
 * An inclusion proof, a checkpoint signature or a leaf hash did not check out: evidence that the
 * log is not what the receipt promised. Never retriable.
 */
public final class IntegrityException extends VellumException {
  private static final long serialVersionUID = 1L;

  public IntegrityException(String message, @Nullable Throwable cause) {
    super(message, 0, false, cause);
  }
}
