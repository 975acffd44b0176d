package dev.vellum.core.note;

/**
 * A signed note, checkpoint or key string was malformed, or a signature did not verify. The message
 * says which part and why. Callers MUST NOT trust any part of a note that failed.
 */
public final class NoteException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  NoteException(String message) {
    super(message);
  }

  NoteException(String message, Throwable cause) {
    super(message, cause);
  }
}
