package dev.vellum.store;

import org.jspecify.annotations.Nullable;

/**
 * An event as read back: its place in the tenant's log and the exact stored canonical JSON. {@code
 * restoredUntilMicros} is set on an event that {@link EventStore#restore} brought back from the
 * archive: it stays hot until then (outside the hashed body, which is never rewritten).
 */
public record StoredEvent(
    long seq,
    String id,
    long occurredAtMicros,
    byte[] leafHash,
    String body,
    @Nullable Long restoredUntilMicros) {

  /** An event written by the sequencer (not restored). */
  public StoredEvent(long seq, String id, long occurredAtMicros, byte[] leafHash, String body) {
    this(seq, id, occurredAtMicros, leafHash, body, null);
  }

  /** Whether a restore brought this event back into the hot store. */
  public boolean restored() {
    return restoredUntilMicros != null;
  }
}
