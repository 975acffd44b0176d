package dev.vellum.verify;

import org.jspecify.annotations.Nullable;

/**
 * Verification could not be carried out (unreadable data dir, unreachable server, a missing key, a
 * malformed option): exit status 2. Never used for evidence of tampering, which is a {@link
 * Finding}.
 */
public final class VerifyException extends Exception {
  private static final long serialVersionUID = 1L;

  VerifyException(String message) {
    super(message);
  }

  VerifyException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
