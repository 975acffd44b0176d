package dev.vellum.client;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Callbacks for logging and metrics, so the client needs no logging library. Called on the client's
 * own threads: implementations must be quick and must not throw (what they throw is ignored). Every
 * method has an empty default.
 */
public interface VellumListener {
  /** A batch was answered: this many events committed now, this many already held. */
  default void onDelivered(int accepted, int duplicates) {}

  /** A batch of {@code events} will be sent again after {@code delay}. */
  default void onRetry(int attempt, int events, Duration delay, String reason) {}

  /** An event will not be delivered; {@code cause} says why. */
  default void onFailed(String eventId, VellumException cause) {}

  /**
   * Bytes of the spool that could not be read back (a record torn by a crash while it was being
   * written, or damaged on disk) and were skipped; records before and after them are kept.
   */
  default void onSpoolDamage(Path segment, long offset, long bytesSkipped, String reason) {}
}
