package dev.vellum.core.merkle;

/**
 * A Merkle proof did not prove what it claimed: the computed root differs from the expected one, or
 * the proof's shape does not fit the tree sizes. The message names the sizes, index and hashes
 * involved. Callers MUST treat this as evidence against the log (or the messenger), not as a
 * transient error.
 */
public final class ProofException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  ProofException(String message) {
    super(message);
  }
}
